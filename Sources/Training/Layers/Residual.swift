/// The residual connection `out = a + b`. Its backward passes the gradient unchanged to both inputs.
public enum Residual {
    /// `out = a + b` (out may alias a).
    /// - Parameters:
    ///   - out: (count)
    ///   - a: (count)
    ///   - b: (count)
    public static func forward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>,
                               b: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = a[i] + b[i] }
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
