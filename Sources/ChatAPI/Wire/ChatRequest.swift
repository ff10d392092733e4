/// A validated view of a `POST /v1/chat/completions` body.
///
/// The original document is kept in ``json`` and is what goes upstream; the typed
/// fields are read from it for routing, logging and the student. Unknown fields are
/// never an error: they pass through.
public struct ChatRequest: Sendable {
    /// The request exactly as parsed.
    public let json: JSONValue
    /// The `model` the client asked for: a route name.
    public let model: String
    /// The conversation, simplified to role and text for the student and for search.
    public let messages: [ChatMessage]
    /// `stream`.
    public let stream: Bool
    /// `stream_options.include_usage` as the client sent it.
    public let includeUsage: Bool
    /// `n`, the number of choices (default 1).
    public let choiceCount: Int
    /// The OpenAI `user` field.
    public let user: String?
    /// The OpenAI `metadata` object.
    public let metadata: JSONValue?
    /// True when `tools` or `functions` are present and non-empty.
    public let hasTools: Bool
    /// True when any message carries a non-text content part (images, audio, files).
    public let hasNonTextContent: Bool
    /// `response_format.type` (`text`, `json_object`, `json_schema`), if given.
    public let responseFormat: String?
    /// `max_completion_tokens`, else `max_tokens`.
    public let maxTokens: Int?
    /// `temperature`.
    public let temperature: Double?
    /// `top_p`.
    public let topP: Double?
    /// `seed`.
    public let seed: Int?
    /// `stop`, normalised to a list.
    public let stop: [String]
    /// `logprobs`.
    public let logprobs: Bool
    /// `top_logprobs`.
    public let topLogprobs: Int?

    /// Whether the request asks for a JSON answer (`response_format` `json_object` or `json_schema`).
    public var wantsJSON: Bool { ResponseFormat.asksForJSON(responseFormat) }

    /// SHA-256 (hex) of the compact `messages` JSON: equal prompts, equal hashes.
    public var promptHash: String { SHA256.hex(json["messages"]?.serialized() ?? []) }
}

/// One message reduced to what the student and the corpus need.
public struct ChatMessage: Sendable, Equatable {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text content (text parts joined with newlines; empty for none).
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

extension ChatRequest {
    /// Roles OpenAI accepts in `messages`.
    public static let knownRoles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    /// Parses and validates a request body.
    ///
    /// - Throws: ``OpenAIError`` 400 naming the offending parameter.
    /// Most JSON values a request body may hold: a long conversation with tools has a few
    /// thousand; the bound keeps a hostile body's parsed form small.
    public static let maximumJSONValues = 200_000

    public init(body: some Collection<UInt8>) throws(OpenAIError) {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body, maximumValues: Self.maximumJSONValues)
        } catch {
            throw .invalidRequest("We could not parse the JSON body of your request (\(error)).", code: "invalid_json")
        }
        try self.init(json: json)
    }

    /// Validates an already parsed request.
    public init(json: JSONValue) throws(OpenAIError) {
        guard case .object = json else { throw .invalidRequest("The request body must be a JSON object.") }
        let fields = FieldReader(json: json)
        self.json = json
        guard let model = try fields.string("model"), !model.isEmpty else {
            throw .invalidRequest("You must provide a model parameter.", param: "model", code: "missing_required_parameter")
        }
        self.model = model
        (messages, hasNonTextContent) = try ChatRequest.parseMessages(json["messages"])
        stream = try fields.bool("stream") ?? false
        includeUsage = try FieldReader(json: json["stream_options"] ?? .null, prefix: "stream_options.")
            .bool("include_usage") ?? false
        choiceCount = try fields.int("n", in: 1...128) ?? 1
        user = try fields.string("user")
        metadata = try fields.object("metadata")
        let tools = try fields.array("tools") ?? []
        let functions = try fields.array("functions") ?? []
        hasTools = !(tools.isEmpty && functions.isEmpty)
        let format = try fields.object("response_format")
        if let format { try ResponseFormat.validate(format) }
        responseFormat = try FieldReader(json: format ?? .null, prefix: "response_format.").string("type")
        let maxCompletionTokens = try fields.int("max_completion_tokens", in: 1...Int(Int32.max))
        let legacyMaxTokens = try fields.int("max_tokens", in: 1...Int(Int32.max))
        maxTokens = maxCompletionTokens ?? legacyMaxTokens
        temperature = try fields.double("temperature", in: 0...2)
        topP = try fields.double("top_p", in: 0...1)
        seed = try fields.int("seed", in: Int.min...Int.max)
        stop = try fields.stopSequences()
        logprobs = try fields.bool("logprobs") ?? false
        topLogprobs = try fields.int("top_logprobs", in: 0...20)
    }

    static func parseMessages(_ value: JSONValue?) throws(OpenAIError) -> ([ChatMessage], Bool) {
        guard let value, value != .null else {
            throw .invalidRequest("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard let items = value.arrayValue else {
            throw .invalidRequest("Invalid type for 'messages': expected an array, but got \(value.typeName).", param: "messages", code: "invalid_type")
        }
        guard !items.isEmpty else {
            throw .invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.", param: "messages", code: "empty_array")
        }
        var messages: [ChatMessage] = []
        var nonText = false
        for (index, item) in items.enumerated() {
            let (message, hasNonText) = try parseMessage(item, param: "messages[\(index)]")
            messages.append(message)
            nonText = nonText || hasNonText
        }
        return (messages, nonText)
    }

    static func parseMessage(_ item: JSONValue, param: String) throws(OpenAIError) -> (ChatMessage, Bool) {
        guard case .object = item else {
            throw .invalidRequest("Invalid type for '\(param)': expected an object, but got \(item.typeName).", param: param, code: "invalid_type")
        }
        guard let role = item["role"]?.stringValue else {
            throw .invalidRequest("Missing or invalid '\(param).role': expected a string.", param: "\(param).role", code: "invalid_type")
        }
        guard knownRoles.contains(role) else {
            throw .invalidRequest("Invalid value for '\(param).role': '\(role)'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool'.", param: "\(param).role", code: "invalid_value")
        }
        switch item["content"] {
        case nil, .null?:
            guard role == "assistant" else {
                throw .invalidRequest("Missing required parameter: '\(param).content'.", param: "\(param).content", code: "missing_required_parameter")
            }
            return (ChatMessage(role: role, content: ""), false)
        case .string(let text)?:
            return (ChatMessage(role: role, content: text), false)
        case .array(let parts)?:
            var texts: [String] = []
            var nonText = false
            for (i, part) in parts.enumerated() {
                guard let type = part["type"]?.stringValue else {
                    throw .invalidRequest("Missing or invalid '\(param).content[\(i)].type'.", param: "\(param).content[\(i)].type", code: "invalid_type")
                }
                if type == "text", let text = part["text"]?.stringValue { texts.append(text) } else { nonText = true }
            }
            return (ChatMessage(role: role, content: texts.joined(separator: "\n")), nonText)
        case let other?:
            throw .invalidRequest("Invalid type for '\(param).content': expected a string or an array of content parts, but got \(other.typeName).", param: "\(param).content", code: "invalid_type")
        }
    }
}
