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
