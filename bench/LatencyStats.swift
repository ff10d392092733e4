/// Percentiles of a set of latencies, in milliseconds.
struct LatencyStats {
    let sorted: [Double]

    init(_ samples: [Double]) { sorted = samples.sorted() }

    /// The `p`-th percentile (nearest rank), 0 for no samples.
    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var p50: Double { percentile(50) }
    var p99: Double { percentile(99) }
}

extension Duration {
    /// This duration in milliseconds.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
