extension SQLiteCorpus {
    /// The last user message of every logged exchange of `route` whose content is text,
    /// oldest first: what new inputs for the route must not duplicate.
    public func userPrompts(route: String) throws -> [String] {
        try withDatabase { db in
            try db.fetchAll("""
                SELECT json_extract(b.request, '$.messages[#-1].content') AS prompt
                FROM exchanges e JOIN exchange_bodies b ON b.exchange_id = e.id
                WHERE e.route = ? AND json_valid(b.request) AND json_type(b.request, '$.messages[#-1].content') = 'text'
                ORDER BY e.seq
                """, [route]) { try $0.text("prompt") }
        }
    }
}

extension SQLiteCorpus {
    /// How many exchanges of `route` carry `tag`, and when the latest was received (unix
    /// seconds; nil when none): how far expansion on a schedule has grown the route.
    public func taggedSummary(route: String, tag: String) throws -> (count: Int, latest: Double?) {
        try withDatabase { db in
            try db.fetchOne("""
                SELECT count(*) AS n, max(e.created_at) AS latest FROM exchanges e
                WHERE e.route = ? AND EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(e.tags) THEN e.tags ELSE '[]' END)
                                              WHERE value = ?)
                """, [route, tag]) { (try $0.int("n"), try $0.optionalDouble("latest")) } ?? (0, nil)
        }
    }
}
