/// One span of a route's traffic: when it starts and who served its requests.
public struct ShareBucket: Sendable, Equatable {
    /// Unix seconds at the span's start.
    public var start: Double
    /// Requests the student served.
    public var student: Int
    /// All requests.
    public var total: Int

    /// A bucket.
    public init(start: Double, student: Int, total: Int) {
        self.start = start
        self.student = student
        self.total = total
    }
}

/// The share of a route's requests the student served over time, for the dashboard: its
/// latest requests cut into equal time spans.
public enum StudentShareHistory {
    /// Up to `count` spans of equal width (at least `minimumWidth` seconds) from the oldest
    /// to the newest of `served`, in time order; empty when `served` is.
    public static func buckets(_ served: [(createdAt: Double, student: Bool)], count: Int = 24,
                               minimumWidth: Double = 60) -> [ShareBucket] {
        guard let oldest = served.map(\.createdAt).min(), let newest = served.map(\.createdAt).max(), count > 0 else { return [] }
        let width = max(minimumWidth, (newest - oldest) / Double(count))
        let used = min(count, Int((newest - oldest) / width) + 1)
        var buckets = (0..<used).map { ShareBucket(start: oldest + Double($0) * width, student: 0, total: 0) }
        for request in served {
            let index = min(used - 1, Int((request.createdAt - oldest) / width))
            buckets[index].total += 1
            if request.student { buckets[index].student += 1 }
        }
        return buckets
    }
}
