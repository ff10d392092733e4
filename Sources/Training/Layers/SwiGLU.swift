import Foundation

/// The SwiGLU activation of the Llama feed-forward block: `out = silu(gate) ∘ up`,
/// with `silu(g) = g · σ(g)`.
public enum SwiGLU {
    /// `out = silu(gate) ∘ up`.
    /// - Parameters:
    ///   - out: (T, F) as `count` floats
    ///   - gate: (T, F)
    ///   - up: (T, F)
    public static func forward(out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>,
                               up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            out[i] = g / (1 + exp(-g)) * up[i]
        }
    }

    /// `gateGradient = dOut ∘ up ∘ silu'(gate)`, `upGradient = dOut ∘ silu(gate)`, with
    /// `silu'(g) = σ(g) · (1 + g · (1 − σ(g)))`. Overwrites both gradients.
    /// - Parameters:
    ///   - gateGradient: (T, F), written
    ///   - upGradient: (T, F), written
    ///   - outGradient: (T, F)
    ///   - gate: (T, F)
    ///   - up: (T, F)
    public static func backward(gateGradient: UnsafeMutablePointer<Float>, upGradient: UnsafeMutablePointer<Float>,
                                outGradient: UnsafePointer<Float>, gate: UnsafePointer<Float>,
                                up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i], sigmoid = 1 / (1 + exp(-g))
            gateGradient[i] = outGradient[i] * up[i] * sigmoid * (1 + g * (1 - sigmoid))
            upGradient[i] = outGradient[i] * g * sigmoid
        }
    }
}
