/// Where the distillation loop reports its counters and gauges (the gateway's Prometheus
/// registry implements it; the command line passes ``DiscardedMetrics``).
public protocol MetricsRecorder: Sendable {
    /// Adds `value` to counter `name` with `labels`.
    func increment(_ name: String, _ labels: [(String, String)], by value: Double, help text: String)
    /// Sets gauge `name` with `labels` to `value`.
    func set(_ name: String, _ labels: [(String, String)], to value: Double, help text: String)
}

extension MetricsRecorder {
    /// Adds 1 to counter `name` with `labels`.
    func increment(_ name: String, _ labels: [(String, String)], help text: String) {
        increment(name, labels, by: 1, help: text)
    }
}

/// Metrics nobody reads: for command-line tools and tests that do not look at them.
public struct DiscardedMetrics: MetricsRecorder {
    /// The recorder.
    public init() {}
    /// Does nothing.
    public func increment(_ name: String, _ labels: [(String, String)], by value: Double, help text: String) {}
    /// Does nothing.
    public func set(_ name: String, _ labels: [(String, String)], to value: Double, help text: String) {}
}
