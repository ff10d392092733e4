import ChatAPI

/// One logged exchange: a request, who answered it, and what the client got.
public struct ExchangeRecord: Sendable, Equatable {
    /// UUIDv7 string.
    public var id: String
    /// Unix seconds when the request arrived.
    public var createdAt: Double
    /// Unix seconds when the response finished (or broke off).
    public var completedAt: Double?
    /// The `model` the client asked for.
    public var route: String
    /// `teacher` or `student`.
    public var servedBy: String
    /// Why this server answered (mode or fallback reason).
    public var servedReason: String?
    /// The teacher's base URL, when the teacher was called.
    public var teacherURL: String?
    /// The model name sent upstream.
    public var upstreamModel: String?
    /// The chat completion `id` the client saw.
    public var completionID: String?
    /// HTTP status the client got; 499 when the client disconnected.
    public var status: Int
    /// An error message, for failed exchanges.
    public var error: String?
    /// Milliseconds from request to the end of the response.
    public var latencyMs: Double?
    /// Milliseconds from request to the first byte of the answer.
    public var ttftMs: Double?
    /// Token usage, when known.
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var totalTokens: Int?
    /// `finish_reason` of the first choice.
    public var finishReason: String?
    /// Whether the client asked for a stream.
    public var stream: Bool
    /// Upstream attempts made (retries + 1).
    public var attempts: Int
    /// The OpenAI `user` field.
    public var user: String?
    /// Tags from `x-retort-tags` and elsewhere.
    public var tags: [String]
    /// The request's `metadata` object as JSON text.
    public var metadata: String?
    /// SHA-256 of the messages JSON.
    public var promptHash: String
    /// The request as a chat-completions JSON: as received on `/v1/chat/completions`,
    /// translated from the client's surface otherwise (never auth headers).
    public var requestJSON: String
    /// The response as a `chat.completion` JSON (streams reassembled), or the error body.
    public var responseJSON: String?
    /// The API the client spoke: `chat`, `responses` or `messages`.
    public var surface = "chat"
    /// The request body as the client sent it, when its surface is not `chat`.
    public var rawRequestJSON: String?
    /// The answer in the client's surface (a stream's final object), when it is not `chat`.
    public var rawResponseJSON: String?
    /// The teacher's token log-probabilities of the first choice (``TokenLogprobs``), when
    /// `teacher.capture_logprobs` asked for them.
    public var teacherLogprobs: TokenLogprobs?

    /// Creates a record; the optional fields default to nil.
    public init(id: String, createdAt: Double, route: String, servedBy: String = "teacher",
                status: Int, stream: Bool, promptHash: String, requestJSON: String) {
        self.id = id
        self.createdAt = createdAt
        self.route = route
        self.servedBy = servedBy
        self.status = status
        self.stream = stream
        self.attempts = 1
        self.tags = []
        self.promptHash = promptHash
        self.requestJSON = requestJSON
    }
}
