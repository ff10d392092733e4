import ChatAPI

/// One body of `POST /v1/feedback`, validated.
///
/// Either an annotation of one exchange (any of a rating, a score, a comment, a
/// demonstration), or a pairwise preference: two exchanges with the same prompt,
/// or two choices of one exchange made with `n > 1`.
public struct FeedbackSubmission: Sendable, Equatable {
    /// What the feedback says.
    public enum Content: Sendable, Equatable {
        /// Thumbs, score, comment and/or a demonstration about one exchange.
        case annotation(Annotation)
        /// `chosen` beats `rejected`; both are exchange or completion ids.
        case pairwise(chosen: String, rejected: String)
        /// Of one exchange's choices, `chosen` beats `rejected`.
        case choices(target: FeedbackTarget, chosen: Int, rejected: Int)
    }

    /// What the feedback is about, before it is resolved to an exchange.
    public var content: Content
    /// A comment, also allowed beside a pairwise preference.
    public var comment: String?
    /// Client-chosen key: a retry with the same key returns the first feedback's id.
    public var idempotencyKey: String?
    /// Tags as the client sent them: an array of strings or an object of strings (JSON).
    public var tags: JSONValue?

    /// Creates a submission.
    public init(content: Content, comment: String? = nil, idempotencyKey: String? = nil, tags: JSONValue? = nil) {
        self.content = content
        self.comment = comment
        self.idempotencyKey = idempotencyKey
        self.tags = tags
    }
}

/// How a client names an exchange: the `x-retort-exchange-id` or the completion `id`.
public enum FeedbackTarget: Sendable, Equatable {
    /// An exchange id (UUIDv7).
    case exchange(String)
    /// The `id` of the chat completion the client got back.
    case completion(String)
    /// Either; resolved as an exchange id first, then as a completion id.
    case either(String)
}

/// An annotation of one exchange. At least one of the fields is set.
public struct Annotation: Sendable, Equatable {
    /// The exchange annotated.
    public var target: FeedbackTarget
    /// Thumbs: `true` up, `false` down.
    public var thumbsUp: Bool?
    /// 0.0 (worst) to 1.0 (best).
    public var score: Double?
    /// The assistant message the user wanted instead (JSON object with `role` and `content`).
    public var demonstration: JSONValue?

    /// Creates an annotation.
    public init(target: FeedbackTarget, thumbsUp: Bool? = nil, score: Double? = nil, demonstration: JSONValue? = nil) {
        self.target = target
        self.thumbsUp = thumbsUp
        self.score = score
        self.demonstration = demonstration
    }
}
