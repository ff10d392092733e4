import Foundation

/// A loss curve drawn in text: `height` rows, one column per bucket of steps (the mean of
/// the bucket), the highest loss at the top.
enum LossChart {
    /// The chart of `losses` (in step order), at most `width` columns wide.
    static func render(_ losses: [Double], width: Int = 60, height: Int = 8) -> [String] {
        let finite = losses.filter(\.isFinite)
        guard !finite.isEmpty, width > 0, height > 1 else { return [] }
        let columns = min(width, finite.count)
        let means = (0..<columns).map { column -> Double in
            let bucket = finite[(column * finite.count / columns)..<((column + 1) * finite.count / columns)]
            return bucket.reduce(0, +) / Double(max(bucket.count, 1))
        }
        let low = means.min() ?? 0, high = means.max() ?? 0, span = max(high - low, 1e-9)
        let levels = means.map { Int((($0 - low) / span * Double(height - 1)).rounded()) }
        return (0..<height).reversed().map { row in
            let label = row == height - 1 ? format(high) : row == 0 ? format(low) : "        "
            return label + " |" + String(levels.map { $0 == row ? "*" : $0 > row ? ":" : " " })
        }
    }

    private static func format(_ value: Double) -> String {
        let text = String(format: "%.4f", value)
        return String(repeating: " ", count: max(0, 8 - text.count)) + text
    }
}
