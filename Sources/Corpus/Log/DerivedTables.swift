/// The full-text index (`exchange_fts`) and the stats rollups (`exchange_rollup`,
/// `latency_histogram`), derived from the exchanges after they are committed rather than
/// inside the commit each request waits for. `derived_progress` holds the last `seq`
/// they cover; ``catchUp(_:limit:)`` adds the exchanges after it in one transaction.
///
/// The writer catches up in batches behind its commits (``ExchangeLog``); a search or a
/// stats read catches up first, so what it shows is never behind the log.
enum DerivedTables {
    /// Adds up to `limit` exchanges after the watermark to the search index and the
    /// rollups, and moves the watermark; returns how many were added.
    @discardableResult
    static func catchUp(_ db: SQLiteDatabase, limit: Int = 100_000) throws -> Int {
        // The watermark is read under the write lock, so two connections never add the same rows.
        try db.transaction {
            let from = try db.fetchOne("SELECT seq FROM derived_progress WHERE name = 'search_and_rollups'") { try $0.int("seq") } ?? 0
            let next = try db.fetchOne("""
                SELECT max(seq) AS top, count(*) AS n FROM (SELECT seq FROM exchanges WHERE seq > ? ORDER BY seq LIMIT ?)
                """, [from, limit]) { (through: try $0.optionalInt("top"), count: try $0.int("n")) }
            guard let next, let through = next.through else { return 0 }
            let range: [any SQLiteBindable] = [from, through]
            try db.prepare("""
                INSERT INTO exchange_fts(rowid, prompt, answer)
                SELECT e.seq, \(Migrations.promptText("b.request")), \(Migrations.answerText("b.response"))
                FROM exchanges e JOIN exchange_bodies b ON b.exchange_id = e.id WHERE e.seq > ? AND e.seq <= ?
                """).run(range)
            try db.prepare("""
                INSERT INTO exchange_rollup
                SELECT route, status, served_by, count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0)
                FROM exchanges WHERE seq > ? AND seq <= ? GROUP BY route, status, served_by
                ON CONFLICT (route, status, served_by) DO UPDATE SET exchanges = exchanges + excluded.exchanges,
                    prompt_tokens = prompt_tokens + excluded.prompt_tokens,
                    completion_tokens = completion_tokens + excluded.completion_tokens
                """).run(range)
            try db.prepare("""
                INSERT INTO latency_histogram
                SELECT printf('%.2e', latency_ms), count(*) FROM exchanges
                WHERE seq > ? AND seq <= ? AND status = 200 AND latency_ms IS NOT NULL GROUP BY 1
                ON CONFLICT (bucket) DO UPDATE SET exchanges = exchanges + excluded.exchanges
                """).run(range)
            try db.prepare("UPDATE derived_progress SET seq = ? WHERE name = 'search_and_rollups'").run([through])
            return next.count
        }
    }
}
