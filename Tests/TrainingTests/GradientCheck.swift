import Foundation
import Engine

/// A heap buffer of floats for the layer tests (pointers stay valid for its lifetime).
final class Tensor {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, value: Float = 0) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: value, count: count)
    }

    convenience init(random count: Int, scale: Float = 1, generator: inout SeededGenerator) {
        self.init(count: count)
        for i in 0..<count { pointer[i] = Float.random(in: -scale...scale, using: &generator) }
    }

    deinit { pointer.deallocate() }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    func zero() { pointer.update(repeating: 0, count: count) }

    /// Σ self ∘ weights in Double: the scalar test loss of a layer output.
    func dot(_ weights: Tensor) -> Double {
        var sum: Double = 0
        for i in 0..<count { sum += Double(pointer[i]) * Double(weights.pointer[i]) }
        return sum
    }
}

/// Central finite differences of `loss` w.r.t. the entries `indices` of `parameter`,
/// compared with `analytic` as ‖numeric − analytic‖ / max(‖numeric‖, ‖analytic‖, floor).
func gradientError(of loss: () -> Double, parameter: Tensor, analytic: [Float],
                   indices: [Int]? = nil, epsilon: Float = 1e-2) -> Double {
    let norms = finiteDifferences(of: loss, parameters: parameter.pointer, analytic: analytic,
                                  indices: indices ?? Array(0..<parameter.count), epsilon: epsilon)
    return norms.difference / max(norms.numeric, norms.analytic, 1e-6)
}

/// Central finite differences of `loss` w.r.t. `parameters[indices]` against `analytic`
/// (indexed like `parameters`): ‖numeric − analytic‖, ‖numeric‖ and ‖analytic‖ over them.
func finiteDifferences(of loss: () -> Double, parameters: UnsafeMutablePointer<Float>, analytic: [Float],
                       indices: [Int], epsilon: Float = 1e-2) -> (difference: Double, numeric: Double, analytic: Double) {
    var difference: Double = 0, numericNorm: Double = 0, analyticNorm: Double = 0
    for i in indices {
        let saved = parameters[i]
        parameters[i] = saved + epsilon
        let plus = loss()
        parameters[i] = saved - epsilon
        let minus = loss()
        parameters[i] = saved
        let numeric = (plus - minus) / (2 * Double(epsilon))
        difference += (numeric - Double(analytic[i])) * (numeric - Double(analytic[i]))
        numericNorm += numeric * numeric
        analyticNorm += Double(analytic[i]) * Double(analytic[i])
    }
    return (difference.squareRoot(), numericNorm.squareRoot(), analyticNorm.squareRoot())
}
