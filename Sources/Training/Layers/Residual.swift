import Engine

/// The residual connection `out = a + b`. Its backward passes the gradient unchanged to both inputs.
/// The forward pass is split over `threads`.
public enum Residual {
    /// `out = a + b` (out may alias a).
    /// - Parameters:
    ///   - out: (count)
    ///   - a: (count)
    ///   - b: (count)
    public static func forward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>,
                               b: UnsafePointer<Float>, count: Int, threads: Int = 1) {
        let (out, a, b) = (Disjoint(out), Disjoint(a), Disjoint(b))
        Parallel.forEach(count / 8, threads: threads, minimumPerThread: 4096) { blocks in
            VectorMath.add(out.value, a.value, b.value, range: (blocks.lowerBound * 8)..<(blocks.upperBound * 8))
        }
        VectorMath.add(out.value, a.value, b.value, range: (count / 8 * 8)..<count)
    }

    /// `aGradient += outGradient`, `bGradient += outGradient`.
    /// - Parameters:
    ///   - aGradient: (count), accumulated into
    ///   - bGradient: (count), accumulated into
    ///   - outGradient: (count)
    public static func backward(aGradient: UnsafeMutablePointer<Float>, bGradient: UnsafeMutablePointer<Float>,
                                outGradient: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            aGradient[i] += outGradient[i]
            bGradient[i] += outGradient[i]
        }
    }
}
