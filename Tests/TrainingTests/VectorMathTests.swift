import Foundation
import Testing
@testable import Training

/// The vectorized kernels against libm and plain loops.
@Suite struct VectorMathTests {
    @Test func expMatchesLibm() {
        var worst: Float = 0
        for step in 0...20_000 {
            let x = -87 + Float(step) * 175 / 20_000
            let value = VectorMath.exp(SIMD8(repeating: x))[3], reference = Foundation.exp(x)
            worst = max(worst, abs(value - reference) / reference)
        }
        #expect(worst < 1e-6)
        #expect(VectorMath.exp(SIMD8(repeating: -1000))[0] < 1e-37)
        #expect(VectorMath.exp(SIMD8(repeating: 1000))[0].isFinite)
    }

    @Test func rowKernelsMatchLoops() {
        let values: [Float] = (0..<29).map { Float($0 % 7) * 0.9 - 2.5 }
        values.withUnsafeBufferPointer { x in
            let base = x.baseAddress!
            #expect(VectorMath.maximum(base, count: 29) == values.max())
            let sum = VectorMath.sumOfExponentials(base, count: 29, shift: 1)
            let reference = values.reduce(Float(0)) { $0 + Foundation.exp($1 - 1) }
            #expect(abs(sum - reference) / reference < 1e-6)
        }
        var row = values
        row.withUnsafeMutableBufferPointer { VectorMath.scaledExponentials($0.baseAddress!, count: 29, shift: 1, scale: 2) }
        for (a, b) in zip(row, values) { #expect(abs(a - 2 * Foundation.exp(b - 1)) < 1e-5) }
    }

    @Test func threadedSwiGLUMatchesOneThread() {
        let count = 70_001
        let gate = (0..<count).map { Float($0 % 97) / 10 - 4.8 }, up = (0..<count).map { Float($0 % 89) / 20 - 2 }
        let dOut = (0..<count).map { Float($0 % 13) / 6 - 1 }
        var one = [Float](repeating: 0, count: count), two = one
        var dGate = [[Float]](repeating: one, count: 2), dUp = dGate
        for (index, threads) in [1, 3].enumerated() {
            var out = [Float](repeating: 0, count: count)
            SwiGLU.forward(out: &out, gate: gate, up: up, count: count, threads: threads)
            if index == 0 { one = out } else { two = out }
            SwiGLU.backward(gateGradient: &dGate[index], upGradient: &dUp[index], outGradient: dOut, gate: gate,
                            up: up, count: count, threads: threads)
        }
        #expect(one == two && dGate[0] == dGate[1] && dUp[0] == dUp[1])
        #expect(abs(one[count - 1] - gate[count - 1] / (1 + Foundation.exp(-gate[count - 1])) * up[count - 1]) < 1e-5)
    }
}
