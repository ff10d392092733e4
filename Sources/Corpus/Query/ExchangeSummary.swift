import ChatAPI

/// One exchange as a listing shows it: the lean row plus short previews.
public struct ExchangeSummary: Sendable, Equatable {
    /// Exchange id.
    public var id: String
    /// Unix seconds.
    public var createdAt: Double
    /// The `model` asked for.
    public var route: String
    /// `teacher` or `student`.
    public var servedBy: String
    /// The API the client spoke: `chat`, `responses` or `messages`.
    public var surface = "chat"
    /// HTTP status the client got.
    public var status: Int
    /// First choice's finish reason.
    public var finishReason: String?
    /// End-to-end milliseconds.
    public var latencyMs: Double?
    /// Token counts.
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Latest thumbs: 1 up, -1 down.
    public var rating: Int?
    /// SHA-256 of the messages.
    public var promptHash: String
    /// Whether it was streamed.
    public var stream: Bool
    /// The chat completion id.
    public var completionID: String?
    /// Start of the last message's content.
    public var promptPreview: String?
    /// Start of the first choice's content.
    public var answerPreview: String?

    /// Characters kept in each preview.
    static let previewCharacters = 160

    /// Columns read by ``init(row:)``; `e` is exchanges, `b` exchange_bodies.
    static let columns = """
        e.id, e.created_at, e.route, e.served_by, e.surface, e.status, e.finish_reason, e.latency_ms, e.prompt_tokens,
        e.completion_tokens, e.rating, e.prompt_hash, e.stream, e.completion_id,
        CASE WHEN json_valid(b.request)
            THEN substr(json_extract(b.request, '$.messages[#-1].content'), 1, \(previewCharacters)) END AS prompt_preview,
        CASE WHEN json_valid(b.response)
            THEN substr(json_extract(b.response, '$.choices[0].message.content'), 1, \(previewCharacters)) END AS answer_preview
        """

    /// Decodes a row selected with ``columns``.
    init(row: SQLiteRow) throws(SQLiteError) {
        id = try row.text("id")
        createdAt = try row.double("created_at")
        route = try row.text("route")
        servedBy = try row.text("served_by")
        surface = try row.text("surface")
        status = try row.int("status")
        finishReason = try row.optionalText("finish_reason")
        latencyMs = try row.optionalDouble("latency_ms")
        promptTokens = try row.optionalInt("prompt_tokens")
        completionTokens = try row.optionalInt("completion_tokens")
        rating = try row.optionalInt("rating")
        promptHash = try row.text("prompt_hash")
        stream = try row.bool("stream")
        completionID = try row.optionalText("completion_id")
        promptPreview = try row.optionalText("prompt_preview")
        answerPreview = try row.optionalText("answer_preview")
    }

    /// The summary as JSON for the admin API and `--json` output.
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("created_at", .double(createdAt)), ("route", .string(route)),
            ("served_by", .string(servedBy)), ("surface", .string(surface)), ("status", .int(status)), ("finish_reason", finishReason.map(JSONValue.string) ?? .null),
            ("latency_ms", latencyMs.map(JSONValue.double) ?? .null), ("prompt_tokens", promptTokens.map(JSONValue.int) ?? .null),
            ("completion_tokens", completionTokens.map(JSONValue.int) ?? .null), ("rating", ratingJSON(rating)),
            ("prompt_hash", .string(promptHash)), ("stream", .bool(stream)),
            ("completion_id", completionID.map(JSONValue.string) ?? .null),
            ("prompt_preview", promptPreview.map(JSONValue.string) ?? .null),
            ("answer_preview", answerPreview.map(JSONValue.string) ?? .null),
        ])
    }
}

/// A page of ``ExchangeSummary`` rows, newest first.
public struct ExchangePage: Sendable, Equatable {
    /// The rows.
    public var items: [ExchangeSummary]
    /// Pass as ``ExchangeFilter/before`` for the next page; nil on the last page.
    public var nextBefore: String?

    /// A page.
    public init(items: [ExchangeSummary], nextBefore: String?) {
        self.items = items
        self.nextBefore = nextBefore
    }

    /// The page as JSON: `{"data": [...], "next_before": ...}`.
    public var json: JSONValue {
        .object([("object", .string("list")), ("data", .array(items.map(\.json))),
                 ("next_before", nextBefore.map(JSONValue.string) ?? .null)])
    }
}

/// `"up"`, `"down"` or null for a stored thumbs value.
func ratingJSON(_ rating: Int?) -> JSONValue {
    guard let rating else { return .null }
    return .string(rating > 0 ? "up" : "down")
}
