import ChatAPI

extension FeedbackWriter {
    /// Most opposite-rated answers one rating is paired with, so a popular prompt
    /// cannot create a quadratic number of pairs.
    static let maximumRatingPairs = 50

    /// Inserts one pair unless an identical one exists; returns 1 if inserted.
    func addPair(_ source: String, promptHash: String, chosen: (id: String, index: Int), rejected: (id: String, index: Int),
                 chosenMessage: String? = nil) throws -> Int {
        try db.prepare("""
            INSERT OR IGNORE INTO preference_pairs (created_at, source, prompt_hash, chosen_exchange_id, chosen_index,
              chosen_message, rejected_exchange_id, rejected_index, feedback_id) VALUES (?,?,?,?,?,?,?,?,?)
            """).run([now, source, promptHash, chosen.id, chosen.index, chosenMessage, rejected.id, rejected.index, id])
        return db.changes
    }

    /// The demonstration (chosen) against the exchange's own first answer (rejected),
    /// when the exchange has one.
    func addDemonstrationPair(_ demonstration: JSONValue, exchange: Resolved) throws -> Int {
        guard try choiceCount(exchange.id) > 0 else { return 0 }
        return try addPair("demonstration", promptHash: exchange.promptHash, chosen: (exchange.id, 0),
                           rejected: (exchange.id, 0), chosenMessage: demonstration.jsonString)
    }

    /// Sets the exchange's current thumbs and re-derives its up-vs-down pairs: each
    /// answer to the same prompt rated the other way becomes the other side of a pair.
    func applyRating(_ rating: Int, to exchange: Resolved) throws -> Int {
        try db.prepare("UPDATE exchanges SET rating = ? WHERE id = ?").run([rating, exchange.id])
        try db.prepare("DELETE FROM preference_pairs WHERE source = 'rating' AND (chosen_exchange_id = ?1 OR rejected_exchange_id = ?1)")
            .run([exchange.id])
        guard exchange.status == 200 else { return 0 }
        try db.prepare("""
            INSERT OR IGNORE INTO preference_pairs (created_at, source, prompt_hash, chosen_exchange_id, chosen_index,
              rejected_exchange_id, rejected_index, feedback_id)
            SELECT ?1, 'rating', ?2, CASE WHEN ?3 > 0 THEN ?4 ELSE o.id END, 0, CASE WHEN ?3 > 0 THEN o.id ELSE ?4 END, 0, ?5
            FROM exchanges o
            WHERE o.prompt_hash = ?2 AND o.rating = -?3 AND o.id != ?4 AND o.status = 200
            ORDER BY o.seq DESC LIMIT \(Self.maximumRatingPairs)
            """).run([now, exchange.promptHash, rating, exchange.id, id])
        return db.changes
    }
}
