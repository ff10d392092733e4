/// Listing and full-text search.
extension SQLiteCorpus {
    /// One page of exchanges matching `filter`, newest first.
    ///
    /// - Throws: ``CorpusError/invalidSearch(_:)`` when `filter.text` is not a valid
    ///   FTS5 query, ``CorpusError/invalid(_:parameter:)`` for a bad limit or an
    ///   unknown `before` id.
    public func list(_ filter: ExchangeFilter) throws -> ExchangePage {
        try filter.validate()
        return try withDatabase { db in
            let beforeSeq = try filter.before.map { id throws -> Int in
                let seq = try db.fetchOne("SELECT seq FROM exchanges WHERE id = ?", [id]) { try $0.optionalInt("seq") }
                guard let seq = seq ?? nil else {
                    throw CorpusError.invalid("`before` names no exchange.", parameter: "before")
                }
                return seq
            }
            // A search reads the index up to the last committed exchange (best effort: if the
            // writer holds the lock, the writer's own catch-up is a quarter-second away).
            if filter.searchText != nil { _ = try? DerivedTables.catchUp(db) }
            let (sql, arguments) = Self.listQuery(filter, beforeSeq: beforeSeq)
            let items: [ExchangeSummary]
            do {
                items = try db.fetchAll(sql, arguments, ExchangeSummary.init(row:))
            } catch let error as SQLiteError where filter.searchText != nil && error.column == nil && error.code & 0xff == 1 {
                throw CorpusError.invalidSearch("Invalid search query (\(error.message)). Put words in double quotes to search for them literally.")
            }
            return ExchangePage(items: items, nextBefore: items.count == filter.limit ? items.last?.id : nil)
        }
    }

    /// The SQL and bound arguments for `filter`. Every value is a parameter.
    static func listQuery(_ filter: ExchangeFilter, beforeSeq: Int?) -> (String, [any SQLiteBindable]) {
        var conditions: [String] = []
        var arguments: [any SQLiteBindable] = []
        let key = filter.searchText == nil ? "e.seq" : "f.rowid"
        if let text = filter.searchText {
            conditions.append("exchange_fts MATCH ?")
            arguments.append(text)
        }
        if let beforeSeq {
            conditions.append("\(key) < ?")
            arguments.append(beforeSeq)
        }
        if let route = filter.route { conditions.append("e.route = ?"); arguments.append(route) }
        // The status, server and rating indexes are partial (migration 10): each filter on a
        // rare value also states the index's condition, so SQLite knows it may use it.
        if let status = filter.status {
            conditions.append(status == 200 ? "e.status = ?" : "e.status <> 200 AND e.status = ?")
            arguments.append(status)
        }
        if let servedBy = filter.servedBy {
            conditions.append(servedBy == "teacher" ? "e.served_by = ?" : "e.served_by <> 'teacher' AND e.served_by = ?")
            arguments.append(servedBy)
        }
        if let surface = filter.surface { conditions.append("e.surface = ?"); arguments.append(surface) }
        if let tag = filter.tag {
            conditions.append("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(e.tags) THEN e.tags ELSE '[]' END) WHERE value = ?)")
            arguments.append(tag)
        }
        switch filter.rating {
        case .up?: conditions.append("e.rating IS NOT NULL AND e.rating = 1")
        case .down?: conditions.append("e.rating IS NOT NULL AND e.rating = -1")
        case .unrated?: conditions.append("e.rating IS NULL")
        case .rated?: conditions.append("e.rating IS NOT NULL AND e.rating IN (-1, 1)")
        case nil: break
        }
        let source = filter.searchText == nil
            ? "exchanges e"
            : "exchange_fts f CROSS JOIN exchanges e ON e.seq = f.rowid"
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(filter.limit)
        // Pick the page's keys first (index only where possible), then read 50 bodies,
        // so a filter that needs a sort never reads the bodies of rows it drops.
        let sql = """
            WITH page AS (SELECT e.seq AS seq FROM \(source) \(whereClause) ORDER BY \(key) DESC LIMIT ?)
            SELECT \(ExchangeSummary.columns) FROM page p JOIN exchanges e ON e.seq = p.seq
            LEFT JOIN exchange_bodies b ON b.exchange_id = e.id
            ORDER BY e.seq DESC
            """
        return (sql, arguments)
    }
}
