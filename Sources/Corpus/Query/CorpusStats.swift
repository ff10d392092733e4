import ChatAPI

/// The corpus at a glance. Counts and token sums come from rollups kept by
/// triggers, so this costs the same at a million rows as at ten.
public struct CorpusStats: Sendable, Equatable {
    /// A labelled count.
    public struct Count: Sendable, Equatable {
        /// The label (a route, a status, ...).
        public var key: String
        /// How many.
        public var count: Int

        /// A count.
        public init(key: String, count: Int) {
            self.key = key
            self.count = count
        }
    }

    /// All exchanges.
    public var exchanges = 0
    /// Per route, status, server: most first.
    public var byRoute: [Count] = []
    public var byStatus: [Count] = []
    public var byServedBy: [Count] = []
    /// Latest thumbs: `up`, `down`, `none`.
    public var byRating: [Count] = []
    /// Feedback rows and preference pairs per source.
    public var feedback = 0
    public var pairsBySource: [Count] = []
    /// Token sums.
    public var promptTokens = 0
    public var completionTokens = 0
    /// Latency of status-200 exchanges in milliseconds (to three significant digits).
    public var latencyP50: Double?
    public var latencyP90: Double?
    public var latencyP99: Double?
    /// Held-out split versions frozen so far.
    public var heldOutVersions = 0

    /// Empty stats (every count zero), to fill in.
    public init() {}

    /// The stats as JSON for the admin API and `--json` output.
    public var json: JSONValue {
        func counts(_ list: [Count]) -> JSONValue { .object(list.map { ($0.key, JSONValue.int($0.count)) }) }
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
        return .object([
            ("exchanges", .int(exchanges)), ("by_route", counts(byRoute)), ("by_status", counts(byStatus)),
            ("by_served_by", counts(byServedBy)), ("by_rating", counts(byRating)), ("feedback", .int(feedback)),
            ("preference_pairs", counts(pairsBySource)),
            ("tokens", .object([("prompt", .int(promptTokens)), ("completion", .int(completionTokens))])),
            ("latency_ms", .object([("p50", number(latencyP50)), ("p90", number(latencyP90)), ("p99", number(latencyP99))])),
            ("heldout_versions", .int(heldOutVersions)),
        ])
    }
}

extension SQLiteCorpus {
    /// Counts by route, status, server and rating; tokens; latency percentiles.
    public func stats() throws -> CorpusStats {
        try withDatabase { db in
            _ = try? DerivedTables.catchUp(db)  // the rollups up to the last committed exchange
            var stats = CorpusStats()
            try Self.addRollup(db, to: &stats)
            var ratings = ["up": 0, "down": 0]
            let thumbs = "SELECT rating, count(*) AS count FROM exchanges WHERE rating IS NOT NULL GROUP BY rating"
            for (rating, count) in try db.fetchAll(thumbs, [], { (try $0.int("rating"), try $0.int("count")) }) {
                ratings[rating > 0 ? "up" : "down", default: 0] += count
            }
            ratings["none"] = stats.exchanges - (ratings["up"] ?? 0) - (ratings["down"] ?? 0)
            stats.byRating = ["up", "down", "none"].map { CorpusStats.Count(key: $0, count: ratings[$0] ?? 0) }
            stats.feedback = try db.fetchOne("SELECT count(*) AS count FROM feedback") { try $0.int("count") } ?? 0
            stats.pairsBySource = try db.fetchAll("SELECT source, count(*) AS count FROM preference_pairs GROUP BY source ORDER BY 2 DESC") {
                CorpusStats.Count(key: try $0.text("source"), count: try $0.int("count"))
            }
            stats.heldOutVersions = try db.fetchOne("SELECT count(*) AS count FROM heldout_splits") { try $0.int("count") } ?? 0
            let histogram = try db.fetchAll("SELECT bucket, exchanges FROM latency_histogram") {
                (try $0.text("bucket"), try $0.int("exchanges"))
            }.compactMap { bucket, count in Double(bucket).map { ($0, count) } }
            let percentiles = latencyPercentiles(histogram, [0.5, 0.9, 0.99])
            (stats.latencyP50, stats.latencyP90, stats.latencyP99) = (percentiles[0], percentiles[1], percentiles[2])
            return stats
        }
    }

    /// Adds the rollup's counts by route, status and server, and its token sums, to `stats`.
    private static func addRollup(_ db: SQLiteDatabase, to stats: inout CorpusStats) throws {
        var routes: [String: Int] = [:], statuses: [String: Int] = [:], servers: [String: Int] = [:]
        let sql = "SELECT route, status, served_by, exchanges, prompt_tokens, completion_tokens FROM exchange_rollup"
        let statement = try db.prepare(sql)
        while try statement.step() {
            let row = statement.currentRow
            let count = try row.int("exchanges")
            routes[try row.text("route"), default: 0] += count
            statuses[String(try row.int("status")), default: 0] += count
            servers[try row.text("served_by"), default: 0] += count
            stats.exchanges += count
            stats.promptTokens += try row.int("prompt_tokens")
            stats.completionTokens += try row.int("completion_tokens")
        }
        stats.byRoute = sortedCounts(routes)
        stats.byStatus = sortedCounts(statuses)
        stats.byServedBy = sortedCounts(servers)
    }
}

private func sortedCounts(_ counts: [String: Int]) -> [CorpusStats.Count] {
    counts.map { CorpusStats.Count(key: $0.key, count: $0.value) }.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
}

/// The nearest-rank percentiles `quantiles` of a histogram of (value, count) buckets.
func latencyPercentiles(_ histogram: [(Double, Int)], _ quantiles: [Double]) -> [Double?] {
    let sorted = histogram.sorted { $0.0 < $1.0 }
    let total = sorted.reduce(0) { $0 + $1.1 }
    guard total > 0 else { return quantiles.map { _ in nil } }
    return quantiles.map { q in
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (value, count) in sorted {
            seen += count
            if seen >= rank { return value }
        }
        return sorted.last?.0
    }
}
