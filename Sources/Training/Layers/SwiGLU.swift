import Engine
import Foundation

/// The SwiGLU activation of the Llama feed-forward block: `out = silu(gate) ∘ up`,
/// with `silu(g) = g · σ(g)`. Eight lanes at a time (`VectorMath.exp`), split over `threads`.
public enum SwiGLU {
    /// `out = silu(gate) ∘ up`.
    /// - Parameters:
    ///   - out: (T, F) as `count` floats
    ///   - gate: (T, F)
    ///   - up: (T, F)
    public static func forward(out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>,
                               up: UnsafePointer<Float>, count: Int, threads: Int = 1) {
        let (out, gate, up) = (Disjoint(out), Disjoint(gate), Disjoint(up))
        Parallel.forEach(count / 8, threads: threads, minimumPerThread: 4096) { blocks in
            let start = blocks.lowerBound * 8
            VectorMath.swiGLU(out: out.value + start, gate: gate.value + start, up: up.value + start, count: blocks.count * 8)
        }
        let tail = count / 8 * 8
        VectorMath.swiGLU(out: out.value + tail, gate: gate.value + tail, up: up.value + tail, count: count - tail)
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
                                up: UnsafePointer<Float>, count: Int, threads: Int = 1) {
        let (dGate, dUp, dOut) = (Disjoint(gateGradient), Disjoint(upGradient), Disjoint(outGradient))
        let (gate, up) = (Disjoint(gate), Disjoint(up))
        Parallel.forEach(count / 8, threads: threads, minimumPerThread: 4096) { blocks in
            backward(gateGradient: dGate.value, upGradient: dUp.value, outGradient: dOut.value, gate: gate.value,
                     up: up.value, range: (blocks.lowerBound * 8)..<(blocks.upperBound * 8))
        }
        backward(gateGradient: dGate.value, upGradient: dUp.value, outGradient: dOut.value, gate: gate.value, up: up.value,
                 range: (count / 8 * 8)..<count)
    }

    private static func backward(gateGradient: UnsafeMutablePointer<Float>, upGradient: UnsafeMutablePointer<Float>,
                                 outGradient: UnsafePointer<Float>, gate: UnsafePointer<Float>,
                                 up: UnsafePointer<Float>, range: Range<Int>) {
        var i = range.lowerBound
        let count = range.upperBound
        while i + 8 <= count {
            let g = VectorMath.load(gate + i), dOut = VectorMath.load(outGradient + i)
            let sigmoid = 1 / (1 + VectorMath.exp(-g))
            VectorMath.store(dOut * VectorMath.load(up + i) * sigmoid * (1 + g * (1 - sigmoid)), gateGradient + i)
            VectorMath.store(dOut * g * sigmoid, upGradient + i)
            i += 8
        }
        while i < count {
            let g = gate[i], sigmoid = 1 / (1 + exp(-g))
            gateGradient[i] = outGradient[i] * up[i] * sigmoid * (1 + g * (1 - sigmoid))
            upGradient[i] = outGradient[i] * g * sigmoid
            i += 1
        }
    }
}
