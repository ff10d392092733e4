/// The most recent values, bounded by count and, optionally, by age.
///
/// Times come from the caller (the injected clock), in seconds. A value recorded at `t` is
/// in the window at `now` when `now − t < duration`; the count bound keeps the newest
/// `capacity` values.
public struct RollingWindow<Element: Sendable & Hashable>: Sendable, Hashable {
    /// The most values kept.
    public let capacity: Int
    /// The longest age kept, in seconds; nil: no age limit.
    public let duration: Double?
    private var entries: [Entry] = []

    private struct Entry: Sendable, Hashable {
        var time: Double
        var value: Element
    }

    /// An empty window; `capacity` is at least 1.
    public init(capacity: Int, duration: Double? = nil) {
        self.capacity = max(capacity, 1)
        self.duration = duration
    }

    /// Adds a value recorded at `time`, forgetting the oldest beyond `capacity`.
    public mutating func append(_ value: Element, at time: Double) {
        entries.append(Entry(time: time, value: value))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// The values still in the window at `now`, oldest first.
    public func values(at now: Double) -> [Element] {
        guard let duration else { return entries.map(\.value) }
        return entries.lazy.filter { now - $0.time < duration }.map(\.value)
    }

    /// Forgets every value.
    public mutating func removeAll() {
        entries.removeAll()
    }
}
