import ChatAPI

/// Writes one feedback submission and its preference pairs inside the caller's transaction.
struct FeedbackWriter {
    let db: SQLiteDatabase
    let id: String
    let now: Double

    /// An exchange a submission names, as found in the corpus.
    struct Resolved {
        let id: String
        let promptHash: String
        let status: Int

        /// Decodes `id, prompt_hash, status`.
        init(row: SQLiteRow) throws(SQLiteError) {
            id = try row.text("id")
            promptHash = try row.text("prompt_hash")
            status = try row.int("status")
        }
    }

    /// Stores `submission`; returns how many preference pairs it created.
    func write(_ submission: FeedbackSubmission) throws -> Int {
        let tags = submission.tags?.jsonString
        switch submission.content {
        case .annotation(let annotation):
            let exchange = try resolve(annotation.target, parameter: "exchange_id")
            let rating = annotation.thumbsUp.map { $0 ? 1 : -1 }
            try insert(kind: "annotation", exchange: exchange.id, rating: rating, score: annotation.score,
                       demonstration: annotation.demonstration?.jsonString, comment: submission.comment,
                       key: submission.idempotencyKey, tags: tags)
            var pairs = 0
            if let rating { pairs += try applyRating(rating, to: exchange) }
            if let demonstration = annotation.demonstration { pairs += try addDemonstrationPair(demonstration, exchange: exchange) }
            return pairs
        case .pairwise(let chosenID, let rejectedID):
            let chosen = try resolve(.either(chosenID), parameter: "chosen")
            let rejected = try resolve(.either(rejectedID), parameter: "rejected")
            guard chosen.id != rejected.id else {
                throw CorpusError.invalid("`chosen` and `rejected` name the same exchange; use chosen_index/rejected_index for its choices.", parameter: "rejected")
            }
            guard chosen.promptHash == rejected.promptHash else {
                throw CorpusError.promptMismatch("`chosen` and `rejected` answer different prompts; a preference pair needs the same prompt.")
            }
            try insert(kind: "pairwise", exchange: chosen.id, rejected: rejected.id, comment: submission.comment,
                       key: submission.idempotencyKey, tags: tags)
            return try addPair("pairwise", promptHash: chosen.promptHash, chosen: (chosen.id, 0), rejected: (rejected.id, 0))
        case .choices(let target, let chosenIndex, let rejectedIndex):
            let exchange = try resolve(target, parameter: "exchange_id")
            let count = try choiceCount(exchange.id)
            for (index, name) in [(chosenIndex, "chosen_index"), (rejectedIndex, "rejected_index")] where index >= count {
                throw CorpusError.unprocessable("The exchange has \(count) choice(s); `\(name)` \(index) is out of range.", parameter: name)
            }
            try insert(kind: "choices", exchange: exchange.id, rejected: exchange.id, chosenIndex: chosenIndex,
                       rejectedIndex: rejectedIndex, comment: submission.comment, key: submission.idempotencyKey, tags: tags)
            return try addPair("choices", promptHash: exchange.promptHash, chosen: (exchange.id, chosenIndex), rejected: (exchange.id, rejectedIndex))
        }
    }

    /// Finds the exchange `target` names, or throws ``CorpusError/notFound(_:parameter:)``.
    func resolve(_ target: FeedbackTarget, parameter: String) throws -> Resolved {
        let found: Resolved?
        switch target {
        case .exchange(let id): found = try resolved(id: id)
        case .completion(let id): found = try resolved(completionID: id)
        case .either(let id): found = try resolved(id: id) ?? resolved(completionID: id)
        }
        guard let found else { throw CorpusError.notFound("No exchange matches `\(parameter)`.", parameter: parameter) }
        return found
    }

    private func resolved(id: String) throws -> Resolved? {
        try db.fetchOne("SELECT id, prompt_hash, status FROM exchanges WHERE id = ?", [id], Resolved.init(row:))
    }

    /// The latest exchange whose chat completion id is `completionID`.
    private func resolved(completionID: String) throws -> Resolved? {
        try db.fetchOne("SELECT id, prompt_hash, status FROM exchanges WHERE completion_id = ? ORDER BY seq DESC LIMIT 1",
                        [completionID], Resolved.init(row:))
    }

    /// Number of choices in the exchange's logged response (0 if it has none).
    func choiceCount(_ exchangeID: String) throws -> Int {
        let count = try db.fetchOne("""
            SELECT json_array_length(response, '$.choices') AS choices FROM exchange_bodies
            WHERE exchange_id = ? AND json_valid(response)
            """, [exchangeID]) { try $0.optionalInt("choices") }
        return (count ?? nil) ?? 0  // no body, an unparsable body, or no `choices` array: none
    }

    private func insert(kind: String, exchange: String, rating: Int? = nil, score: Double? = nil,
                        demonstration: String? = nil, rejected: String? = nil, chosenIndex: Int? = nil,
                        rejectedIndex: Int? = nil, comment: String?, key: String?, tags: String?) throws {
        try db.prepare("""
            INSERT INTO feedback (id, created_at, exchange_id, kind, rating, score, comment, demonstration,
              chosen_exchange_id, rejected_exchange_id, chosen_index, rejected_index, idempotency_key, tags)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """).run([id, now, exchange, kind, rating, score, comment, demonstration,
                      rejected == nil ? nil : exchange, rejected, chosenIndex, rejectedIndex, key, tags])
    }
}
