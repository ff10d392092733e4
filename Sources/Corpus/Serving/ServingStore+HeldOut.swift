import ChatAPI
extension ServingStore {
    /// The latest frozen held-out split, freezing one (with the default curation) when
    /// none exists yet, so that every later evaluation uses the same rows.
    public func heldOutSplit(testPercent: Double = HeldOutVersion.defaultTestPercent) throws -> HeldOutVersion {
        if let latest = try reader.latestHeldOut() { return latest }
        return try reader.freezeHeldOut(testPercent: testPercent)
    }

    /// The rows of held-out split `version` (of `route` only when given), in log order.
    public func heldOutRows(version: Int, route: String? = nil, limit: Int? = nil) throws -> [HeldOutRow] {
        try reader.withDatabase { db in
            var sql = """
                SELECT h.exchange_id, e.route, e.tags, b.request, coalesce(b.response, '{}') AS response FROM heldout_rows h
                JOIN exchanges e ON e.id = h.exchange_id JOIN exchange_bodies b ON b.exchange_id = h.exchange_id
                WHERE h.version = ?
                """
            var arguments: [any SQLiteBindable] = [version]
            if let route { sql += " AND e.route = ?"; arguments.append(route) }
            sql += " ORDER BY e.seq LIMIT ?"
            arguments.append(limit ?? -1)
            return try db.fetchAll(sql, arguments) { row in
                let tags = try row.optionalText("tags").flatMap { try? JSONValue.parse(Array($0.utf8)) }?.arrayValue?
                    .compactMap(\.stringValue) ?? []
                return HeldOutRow(exchangeID: try row.text("exchange_id"), route: try row.text("route"),
                                  requestJSON: try row.text("request"), responseJSON: try row.text("response"), tags: tags)
            }
        }
    }
}

/// One held-out exchange: the request and the teacher's answer.
public struct HeldOutRow: Sendable, Equatable {
    /// The exchange id.
    public var exchangeID: String
    /// The route it was logged on.
    public var route: String
    /// The request JSON as received.
    public var requestJSON: String
    /// The teacher's `chat.completion` JSON.
    public var responseJSON: String
    /// The exchange's tags (`x-retort-tags`, and `task:NAME` from `x-retort-task`).
    public var tags: [String]

    /// A held-out row.
    public init(exchangeID: String, route: String, requestJSON: String, responseJSON: String, tags: [String] = []) {
        self.exchangeID = exchangeID
        self.route = route
        self.requestJSON = requestJSON
        self.responseJSON = responseJSON
        self.tags = tags
    }
}
