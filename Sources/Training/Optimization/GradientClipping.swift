import Engine

/// Clipping by the global L2 norm of all gradients (PyTorch `clip_grad_norm_`).
public enum GradientClipping {
    /// √Σ g²: float lanes over blocks of 4096, the blocks summed in Double; split over `threads`.
    /// - Parameter gradients: (count)
    public static func globalNorm(_ gradients: UnsafePointer<Float>, count: Int, threads: Int = 1) -> Float {
        let blocks = (count + 4095) / 4096, source = Disjoint(gradients)
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: max(blocks, 1))
        defer { partial.deallocate() }
        let sums = Disjoint(partial)
        Parallel.forEach(blocks, threads: threads, minimumPerThread: 16) { range in
            for block in range {
                let start = block * 4096, end = min(count, start + 4096)
                var lanes = SIMD8<Float>(), i = start
                while i + 8 <= end {
                    let g = VectorMath.load(source.value + i)
                    lanes += g * g
                    i += 8
                }
                var sum = Double(lanes.sum())
                while i < end { sum += Double(source.value[i]) * Double(source.value[i]); i += 1 }
                sums.value[block] = sum
            }
        }
        var total: Double = 0
        for block in 0..<blocks { total += partial[block] }
        return Float(total.squareRoot())
    }

    /// The factor `maxNorm / (norm + 1e-6)` that clipping applies, or 1 when `norm ≤ maxNorm`.
    public static func scale(norm: Float, maxNorm: Float) -> Float {
        norm > maxNorm ? maxNorm / (norm + 1e-6) : 1
    }

    /// Scales the gradients by `maxNorm / norm` when their global norm exceeds `maxNorm`;
    /// returns the norm before clipping (for logging).
    /// - Parameter gradients: (count), scaled in place
    @discardableResult
    public static func clip(_ gradients: UnsafeMutablePointer<Float>, count: Int, maxNorm: Float) -> Float {
        let norm = globalNorm(gradients, count: count)
        if norm > maxNorm {
            let scale = maxNorm / (norm + 1e-6)
            for i in 0..<count { gradients[i] *= scale }
        }
        return norm
    }
}
