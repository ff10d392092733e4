#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's `exp`, without importing Foundation.
func naturalExp(_ value: Double) -> Double {
    exp(value)
}

/// Statistics helpers shared by the checks and the gate.
public enum ServingStatistics {
    /// The `q`-quantile of `values` by linear interpolation between order statistics
    /// (Hyndman–Fan type 7, NumPy's default): `h = (n − 1)·q`, interpolated between the
    /// values ranked ⌊h⌋ and ⌊h⌋ + 1. Nil for no values; `q` is clamped to 0…1.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = Double(sorted.count - 1) * min(max(q, 0), 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
