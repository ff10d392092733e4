import Dispatch
import Engine

/// The machine's read bandwidth, measured the way decode reads weights: a buffer much
/// larger than the caches streamed once per pass and summed in SIMD registers, split over
/// `threads` with the engine's own parallel-for. The best of `passes` passes, in GB/s.
enum MemoryBandwidth {
    static func read(threads: Int, megabytes: Int = 256, passes: Int = 5) -> Double {
        let count = megabytes << 20 / 4
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1, count: count)
        let source = Disjoint(UnsafePointer(buffer)), sink = Sink()
        var best = Double.infinity
        for _ in 0..<passes {
            let start = DispatchTime.now().uptimeNanoseconds
            Parallel.forEach(count / 64, threads: threads, minimumPerThread: 1 << 14) { chunks in
                var acc = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
                let base = UnsafeRawPointer(source.value)
                for chunk in chunks {
                    acc.0 += base.loadUnaligned(fromByteOffset: 256 * chunk, as: SIMD16<Float>.self)
                    acc.1 += base.loadUnaligned(fromByteOffset: 256 * chunk + 64, as: SIMD16<Float>.self)
                    acc.2 += base.loadUnaligned(fromByteOffset: 256 * chunk + 128, as: SIMD16<Float>.self)
                    acc.3 += base.loadUnaligned(fromByteOffset: 256 * chunk + 192, as: SIMD16<Float>.self)
                }
                sink.keep(((acc.0 + acc.1) + (acc.2 + acc.3)).sum())
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Double(4 * count) / best / 1e9
    }

    /// Keeps the sums alive so the loads are not optimised away.
    private final class Sink: @unchecked Sendable {
        private var total: Float = 0
        private let lock = DispatchQueue(label: "bench.bandwidth.sink")
        func keep(_ value: Float) { lock.sync { total += value } }
    }
}
