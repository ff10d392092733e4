/// What the router needs to know about a chat request; the gateway fills it from the body.
public struct RequestFeatures: Sendable, Hashable, Codable {
    /// The request has `tools` (or `functions`).
    public var hasTools: Bool
    /// A message has image, audio or file parts.
    public var hasNonTextContent: Bool
    /// The `n` parameter: how many choices are asked for.
    public var choices: Int
    /// `response_format` asks for `json_object` or `json_schema`.
    public var wantsJSON: Bool
    /// The prompt's length in student tokens, when known.
    public var promptTokens: Int?
    /// `max_tokens` / `max_completion_tokens`, when given.
    public var maxTokens: Int?
    /// The client asked for a stream.
    public var stream: Bool
    /// Names of the optional parameters present in the request (`logit_bias`, `seed`, ...).
    public var parameters: Set<String>
    /// `response_format` gives a schema the student's constrained decoding cannot enforce.
    public var hasUnsupportedSchema = false

    /// Describes a request; every feature defaults to the plain case (one text-only choice).
    public init(
        hasTools: Bool = false, hasNonTextContent: Bool = false, choices: Int = 1,
        wantsJSON: Bool = false, promptTokens: Int? = nil, maxTokens: Int? = nil,
        stream: Bool = false, parameters: Set<String> = []
    ) {
        self.hasTools = hasTools
        self.hasNonTextContent = hasNonTextContent
        self.choices = choices
        self.wantsJSON = wantsJSON
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
        self.stream = stream
        self.parameters = parameters
    }
}

/// What the student model can do.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `contextLength` | `Int` | — | the student's context window in tokens |
/// | `supportsTools` | `Bool` | `false` | the student may answer requests with tools |
/// | `supportsNonTextContent` | `Bool` | `false` | the student may see images/audio |
/// | `maxChoices` | `Int` | `1` | the largest `n` the student serves |
/// | `unsupportedParameters` | `Set<String>` | `["logit_bias", "prediction", "audio"]` | parameters that send a request to the teacher |
/// | `minimumCompletionTokens` | `Int` | `16` | room kept for the answer when `max_tokens` is absent |
public struct StudentCapabilities: Sendable, Hashable, Codable {
    /// The student's context window in tokens.
    public var contextLength: Int
    /// The student may answer requests with tools.
    public var supportsTools: Bool
    /// The student may answer requests with image or audio parts.
    public var supportsNonTextContent: Bool
    /// The largest `n` the student serves.
    public var maxChoices: Int
    /// Parameters the student ignores or cannot honour; their presence sends the request to the teacher.
    public var unsupportedParameters: Set<String>
    /// Tokens kept free for the answer when the request gives no `max_tokens`.
    public var minimumCompletionTokens: Int

    /// Describes a student; see the type's table for the defaults.
    public init(
        contextLength: Int, supportsTools: Bool = false, supportsNonTextContent: Bool = false,
        maxChoices: Int = 1, unsupportedParameters: Set<String> = ["logit_bias", "prediction", "audio"],
        minimumCompletionTokens: Int = 16
    ) {
        self.contextLength = contextLength
        self.supportsTools = supportsTools
        self.supportsNonTextContent = supportsNonTextContent
        self.maxChoices = maxChoices
        self.unsupportedParameters = unsupportedParameters
        self.minimumCompletionTokens = minimumCompletionTokens
    }

    /// Why the student cannot take `request` at all, or nil when it can.
    /// Checked in order: tools, content, parameters (`n` first), context.
    public func refusal(of request: RequestFeatures) -> FallbackReason? {
        if request.hasTools, !supportsTools { return .unsupportedTools }
        if request.hasNonTextContent, !supportsNonTextContent { return .unsupportedContent }
        if request.choices > maxChoices || request.hasUnsupportedSchema { return .unsupportedParameter }
        if !request.parameters.isDisjoint(with: unsupportedParameters) { return .unsupportedParameter }
        if let prompt = request.promptTokens {
            let needed = prompt + max(request.maxTokens ?? minimumCompletionTokens, 1)
            if needed > contextLength { return .contextExceeded }
        }
        return nil
    }
}

/// The student's state at the moment of the decision.
public struct StudentStatus: Sendable, Hashable, Codable {
    /// The student engine is loaded and healthy.
    public var isAvailable: Bool
    /// What a served request waits behind: served requests waiting and the generation running.
    public var queueDepth: Int
    /// The depth at which the student is full and requests go to the teacher.
    public var queueLimit: Int
    /// Background generations (shadow runs) waiting; they run only when no served request
    /// waits, so they never count against one.
    public var backgroundDepth: Int

    /// Describes the student's load.
    public init(isAvailable: Bool = true, queueDepth: Int = 0, queueLimit: Int = 8, backgroundDepth: Int = 0) {
        self.isAvailable = isAvailable
        self.queueDepth = queueDepth
        self.queueLimit = queueLimit
        self.backgroundDepth = backgroundDepth
    }

    /// Whether a new served request would exceed the queue.
    public var isFull: Bool { queueDepth >= queueLimit }

    /// All the student's work: what shadow sampling weighs before adding more.
    public var totalDepth: Int { queueDepth + backgroundDepth }
}
