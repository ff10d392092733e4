import Distill
import Foundation

/// Counters and histograms the gateway exports at `GET /metrics` (Prometheus text format).
public final class GatewayMetrics: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `lock`.
    private let lock = NSLock()
    private var counters: [MetricKey: Double] = [:]
    private var histograms: [MetricKey: Histogram] = [:]
    private var gauges: [MetricKey: Double] = [:]
    private var help: [String: (type: String, text: String)] = [:]

    /// Creates an empty registry.
    public init() {}

    /// Adds `value` to the counter `name` with `labels`.
    public func increment(_ name: String, _ labels: [(String, String)] = [], by value: Double = 1, help text: String) {
        let key = MetricKey(name: name, labels: labels)
        lock.withLock { record(&counters, key, "counter", text, first: 0) { $0 += value } }
    }

    /// Records `value` (seconds) in the histogram `name`.
    public func observe(_ name: String, _ labels: [(String, String)] = [], _ value: Double, help text: String) {
        let key = MetricKey(name: name, labels: labels)
        lock.withLock { record(&histograms, key, "histogram", text, first: Histogram()) { $0.observe(value) } }
    }

    /// Sets the gauge `name` with `labels` to `value`.
    public func set(_ name: String, _ labels: [(String, String)] = [], to value: Double, help text: String) {
        let key = MetricKey(name: name, labels: labels)
        lock.withLock { record(&gauges, key, "gauge", text, first: value) { $0 = value } }
    }

    /// Applies `change` to the series `key` in `series` (under `lock`), starting a new one
    /// from `first` and noting the metric's type and help text when the series appears:
    /// recording runs several times per request, and an existing series costs one lookup.
    private func record<Value>(_ series: inout [MetricKey: Value], _ key: MetricKey, _ type: String, _ text: String,
                               first: Value, _ change: (inout Value) -> Void) {
        if let index = series.index(forKey: key) {
            change(&series.values[index])
            return
        }
        var value = first
        change(&value)
        series[key] = value
        if help[key.name] == nil { help[key.name] = (type, text) }
    }

    /// The current value of a counter (for tests and the admin API).
    public func counter(_ name: String, _ labels: [(String, String)] = []) -> Double {
        lock.withLock { counters[MetricKey(name: name, labels: labels)] ?? 0 }
    }

    /// Prometheus text exposition of every metric, plus `gauges` computed by the caller.
    public func render(gauges: [(name: String, help: String, value: Double)] = []) -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = ""
        for name in Set(counters.keys.map(\.name)).sorted() {
            out += "# HELP \(name) \(help[name]?.text ?? "")\n# TYPE \(name) counter\n"
            for (key, value) in counters where key.name == name { out += "\(key.rendered()) \(format(value))\n" }
        }
        for name in Set(histograms.keys.map(\.name)).sorted() {
            out += "# HELP \(name) \(help[name]?.text ?? "")\n# TYPE \(name) histogram\n"
            for (key, histogram) in histograms where key.name == name { out += histogram.render(key) }
        }
        for name in Set(self.gauges.keys.map(\.name)).sorted() {
            out += "# HELP \(name) \(help[name]?.text ?? "")\n# TYPE \(name) gauge\n"
            for (key, value) in self.gauges where key.name == name { out += "\(key.rendered()) \(format(value))\n" }
        }
        for gauge in gauges {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n\(gauge.name) \(format(gauge.value))\n"
        }
        return out
    }
}

/// A metric name with its label pairs, kept raw (they are escaped only when rendered:
/// the key is built on every request, the text only when scraped).
struct MetricKey: Hashable {
    let name: String
    /// Label names and values, alternating.
    let labels: [String]

    init(name: String, labels: [(String, String)]) {
        self.name = name
        var flat: [String] = []
        flat.reserveCapacity(labels.count * 2)
        for (label, value) in labels {
            flat.append(label)
            flat.append(value)
        }
        self.labels = flat
    }

    func rendered(suffix: String = "", extra: String? = nil) -> String {
        var all = stride(from: 0, to: labels.count, by: 2).map { "\(labels[$0])=\"\(escapeLabel(labels[$0 + 1]))\"" }
        if let extra { all.append(extra) }
        return name + suffix + (all.isEmpty ? "" : "{\(all.joined(separator: ","))}")
    }
}

/// Cumulative buckets in seconds, from 0.1 ms to 60 s.
struct Histogram {
    static let bounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    var counts = [Int](repeating: 0, count: Histogram.bounds.count)
    var total = 0
    var sum = 0.0

    mutating func observe(_ value: Double) {
        for (i, bound) in Histogram.bounds.enumerated() where value <= bound { counts[i] += 1 }
        total += 1
        sum += value
    }

    func render(_ key: MetricKey) -> String {
        var out = ""
        for (i, bound) in Histogram.bounds.enumerated() {
            out += "\(key.rendered(suffix: "_bucket", extra: "le=\"\(format(bound))\"")) \(counts[i])\n"
        }
        out += "\(key.rendered(suffix: "_bucket", extra: "le=\"+Inf\"")) \(total)\n"
        out += "\(key.rendered(suffix: "_sum")) \(format(sum))\n\(key.rendered(suffix: "_count")) \(total)\n"
        return out
    }
}

/// A label value in the exposition format: backslash, double quote and newline escaped.
private func escapeLabel(_ value: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
        case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
        case "\n": out.append(contentsOf: "\\n".unicodeScalars)
        default: out.append(scalar)
        }
    }
    return String(out)
}

private func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

extension GatewayMetrics: MetricsRecorder {}
