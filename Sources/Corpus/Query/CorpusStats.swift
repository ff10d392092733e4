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

extension CorpusReader {
    /// Counts by route, status, server and rating; tokens; latency percentiles.
    public func stats() throws -> CorpusStats {
        try withDatabase { db in
            var stats = CorpusStats()
            var routes: [String: Int] = [:], statuses: [String: Int] = [:], servers: [String: Int] = [:]
            for row in try db.query("SELECT route, status, served_by, exchanges, prompt_tokens, completion_tokens FROM exchange_rollup") {
                let count = row[3].int ?? 0
                routes[row[0].string ?? "", default: 0] += count
                statuses[String(row[1].int ?? 0), default: 0] += count
                servers[row[2].string ?? "", default: 0] += count
                stats.exchanges += count
                stats.promptTokens += row[4].int ?? 0
                stats.completionTokens += row[5].int ?? 0
            }
            stats.byRoute = sortedCounts(routes)
            stats.byStatus = sortedCounts(statuses)
            stats.byServedBy = sortedCounts(servers)
            var ratings = ["up": 0, "down": 0]
            for row in try db.query("SELECT rating, count(*) FROM exchanges WHERE rating IS NOT NULL GROUP BY rating") {
                ratings[(row[0].int ?? 0) > 0 ? "up" : "down", default: 0] += row[1].int ?? 0
            }
            ratings["none"] = stats.exchanges - (ratings["up"] ?? 0) - (ratings["down"] ?? 0)
            stats.byRating = ["up", "down", "none"].map { CorpusStats.Count(key: $0, count: ratings[$0] ?? 0) }
            stats.feedback = try db.query("SELECT count(*) FROM feedback").first?.first?.int ?? 0
            stats.pairsBySource = try db.query("SELECT source, count(*) FROM preference_pairs GROUP BY source ORDER BY 2 DESC")
                .map { CorpusStats.Count(key: $0[0].string ?? "", count: $0[1].int ?? 0) }
            stats.heldOutVersions = try db.query("SELECT count(*) FROM heldout_splits").first?.first?.int ?? 0
            let histogram = try db.query("SELECT bucket, exchanges FROM latency_histogram")
                .compactMap { row in Double(row[0].string ?? "").map { ($0, row[1].int ?? 0) } }
            let percentiles = latencyPercentiles(histogram, [0.5, 0.9, 0.99])
            (stats.latencyP50, stats.latencyP90, stats.latencyP99) = (percentiles[0], percentiles[1], percentiles[2])
            return stats
        }
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
