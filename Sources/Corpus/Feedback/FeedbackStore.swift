import ChatAPI
import Foundation

/// Records feedback and derives the preference pairs it implies, on the reader's
/// connection, each submission in one transaction.
public struct FeedbackStore: Sendable {
    /// The connection used.
    public let reader: SQLiteCorpus

    /// A store over `reader`'s connection.
    public init(reader: SQLiteCorpus) {
        self.reader = reader
    }

    /// The outcome of ``record(_:now:)``.
    public struct Receipt: Sendable, Equatable {
        /// The feedback id.
        public var id: String
        /// True when an earlier submission with the same idempotency key was found instead.
        public var replayed: Bool
        /// Preference pairs created by this feedback.
        public var pairsCreated: Int

        /// A receipt.
        public init(id: String, replayed: Bool, pairsCreated: Int) {
            self.id = id
            self.replayed = replayed
            self.pairsCreated = pairsCreated
        }
    }

    /// Validates `submission` against the corpus and stores it.
    ///
    /// - Throws: ``CorpusError/notFound(_:parameter:)`` for an unknown target (nothing
    ///   is written, so the caller may retry while the exchange is still queued);
    ///   ``CorpusError/promptMismatch(_:)`` for a pair with different prompts;
    ///   ``CorpusError/unprocessable(_:parameter:)`` for a choice index out of range.
    public func record(_ submission: FeedbackSubmission, now: Date = Date()) throws -> Receipt {
        try reader.withDatabase { db in
            try db.transaction {
                if let key = submission.idempotencyKey,
                   let id = try db.fetchOne("SELECT id FROM feedback WHERE idempotency_key = ?", [key], { try $0.text("id") }) {
                    return Receipt(id: id, replayed: true, pairsCreated: 0)
                }
                let writer = FeedbackWriter(db: db, id: ExchangeID.make(now: now), now: now.timeIntervalSince1970)
                let pairs = try writer.write(submission)
                return Receipt(id: writer.id, replayed: false, pairsCreated: pairs)
            }
        }
    }

    /// Every feedback row about exchange `id` (as the chosen or rejected side too), oldest first.
    public func feedback(forExchange id: String) throws -> [FeedbackRow] {
        try reader.withDatabase { db in
            try db.fetchAll("""
                SELECT \(FeedbackRow.columns) FROM feedback
                WHERE exchange_id = ?1 OR rejected_exchange_id = ?1 ORDER BY created_at
                """, [id], FeedbackRow.init(row:))
        }
    }
}

/// One stored feedback row.
public struct FeedbackRow: Sendable, Equatable {
    /// Feedback id.
    public var id: String
    /// Unix seconds.
    public var createdAt: Double
    /// The exchange it is about (pairwise: the chosen one).
    public var exchangeID: String
    /// `annotation`, `pairwise` or `choices`.
    public var kind: String
    /// 1 up, -1 down.
    public var rating: Int?
    /// 0.0 ... 1.0.
    public var score: Double?
    /// Free text.
    public var comment: String?
    /// The wanted assistant message, JSON.
    public var demonstration: String?
    /// Pairwise: the rejected exchange.
    public var rejectedExchangeID: String?
    /// Choices: the chosen and rejected indices.
    public var chosenIndex: Int?
    public var rejectedIndex: Int?
    /// Tags JSON.
    public var tags: String?

    /// Columns read by ``init(row:)``.
    static let columns = "id, created_at, exchange_id, kind, rating, score, comment, demonstration, rejected_exchange_id, chosen_index, rejected_index, tags"

    /// Decodes a row selected with ``columns``.
    init(row: SQLiteRow) throws(SQLiteError) {
        id = try row.text("id")
        createdAt = try row.double("created_at")
        exchangeID = try row.text("exchange_id")
        kind = try row.text("kind")
        rating = try row.optionalInt("rating")
        score = try row.optionalDouble("score")
        comment = try row.optionalText("comment")
        demonstration = try row.optionalText("demonstration")
        rejectedExchangeID = try row.optionalText("rejected_exchange_id")
        chosenIndex = try row.optionalInt("chosen_index")
        rejectedIndex = try row.optionalInt("rejected_index")
        tags = try row.optionalText("tags")
    }

    /// The row as JSON for the admin API and `retort corpus show --json`.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("id", .string(id)), ("created_at", .double(createdAt)), ("exchange_id", .string(exchangeID)), ("kind", .string(kind)),
        ]
        if let rating { members.append(("rating", .string(rating > 0 ? "up" : "down"))) }
        if let score { members.append(("score", .double(score))) }
        if let comment { members.append(("comment", .string(comment))) }
        if let demonstration { members.append(("demonstration", (try? JSONValue.parse(demonstration)) ?? .string(demonstration))) }
        if let rejectedExchangeID { members.append(("rejected", .string(rejectedExchangeID))) }
        if let chosenIndex { members.append(("chosen_index", .int(chosenIndex))) }
        if let rejectedIndex { members.append(("rejected_index", .int(rejectedIndex))) }
        if let tags, let value = try? JSONValue.parse(tags) { members.append(("tags", value)) }
        return .object(members)
    }
}
