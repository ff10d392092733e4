/// Clipping by the global L2 norm of all gradients (PyTorch `clip_grad_norm_`).
public enum GradientClipping {
    /// √Σ g², accumulated in Double.
    /// - Parameter gradients: (count)
    public static func globalNorm(_ gradients: UnsafePointer<Float>, count: Int) -> Float {
        var sum: Double = 0
        for i in 0..<count { sum += Double(gradients[i]) * Double(gradients[i]) }
        return Float(sum.squareRoot())
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
