/// The SQL behind exports and held-out freezing. Every value is a bound parameter.
enum ExportQuery {
    /// Columns of an exchange export row, read by ``ExportRow/init(row:)``.
    static let exchangeColumns = """
        e.id, e.prompt_hash, b.request, b.response, e.route, e.served_by, e.status, e.tags,
        (SELECT f.demonstration FROM feedback f WHERE f.exchange_id = e.id AND f.demonstration IS NOT NULL
         ORDER BY f.created_at DESC LIMIT 1) AS demonstration,
        (SELECT l.data FROM exchange_logprobs l WHERE l.exchange_id = e.id) AS teacher_logprobs,
        (SELECT c.agreed FROM consistency_checks c WHERE c.exchange_id = e.id) AS consistent
        """

    /// `WHERE` conditions of the curated selection, with de-duplication.
    static func curatedConditions(_ filter: CurationFilter) -> (sql: [String], arguments: [any SQLiteBindable]) {
        var (sql, arguments) = filter.conditions()
        if filter.deduplicate {
            let inner = sql.isEmpty ? "" : "WHERE " + sql.joined(separator: " AND ")
            sql.append("e.seq IN (SELECT max(e.seq) FROM exchanges e \(inner) GROUP BY e.prompt_hash)")
            arguments += arguments
        }
        return (sql, arguments)
    }

    /// Exchange id and prompt hash of every curated exchange.
    static func curatedKeys(_ filter: CurationFilter) -> (String, [any SQLiteBindable]) {
        let (sql, arguments) = curatedConditions(filter)
        return ("SELECT e.id, e.prompt_hash FROM exchanges e \(whereClause(sql)) ORDER BY e.seq", arguments)
    }

    /// Exchange rows for an SFT or raw export. `heldOut` is the frozen version for the test split.
    static func exchanges(_ filter: CurationFilter, split: DatasetSplit?, heldOut: Int?) -> (String, [any SQLiteBindable]) {
        var sql: [String] = []
        var arguments: [any SQLiteBindable] = []
        if split == .test {
            sql.append("e.id IN (SELECT exchange_id FROM heldout_rows WHERE version = ?)")
            arguments.append(heldOut ?? 0)
        } else {
            (sql, arguments) = curatedConditions(filter)
            if split == .train { sql.append("e.prompt_hash NOT IN (SELECT prompt_hash FROM heldout_rows)") }
        }
        let query = """
            SELECT \(exchangeColumns) FROM exchanges e JOIN exchange_bodies b ON b.exchange_id = e.id
            \(whereClause(sql)) ORDER BY e.seq
            """
        return (query, arguments)
    }

    /// Preference pair rows for a DPO export, read by ``PairRow/init(row:)``.
    static func pairs(_ filter: CurationFilter, split: DatasetSplit?, heldOut: Int?) -> (String, [any SQLiteBindable]) {
        var sql: [String] = []
        var arguments: [any SQLiteBindable] = []
        if !filter.routes.isEmpty {
            sql.append("e.route IN (\(filter.routes.map { _ in "?" }.joined(separator: ",")))")
            arguments += filter.routes.map { $0 as any SQLiteBindable }
        }
        switch split {
        case .test?:
            sql.append("p.prompt_hash IN (SELECT prompt_hash FROM heldout_rows WHERE version = ?)")
            arguments.append(heldOut ?? 0)
        case .train?:
            sql.append("p.prompt_hash NOT IN (SELECT prompt_hash FROM heldout_rows)")
        case nil:
            break
        }
        let query = """
            SELECT p.id, p.source, p.prompt_hash, rb.request AS request, p.chosen_message, cb.response AS chosen_response,
                   p.chosen_index, p.rejected_message, rb.response AS rejected_response, p.rejected_index, p.feedback_id,
                   p.chosen_exchange_id,
                   p.rejected_exchange_id
            FROM preference_pairs p
            JOIN exchanges e ON e.id = p.rejected_exchange_id
            JOIN exchange_bodies rb ON rb.exchange_id = p.rejected_exchange_id
            JOIN exchange_bodies cb ON cb.exchange_id = p.chosen_exchange_id
            \(whereClause(sql)) ORDER BY p.id
            """
        return (query, arguments)
    }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }
}
