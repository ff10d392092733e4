import Foundation
import Testing
@testable import Engine

/// The shared vector kernels (engine and trainer) against libm and plain loops.
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

    @Test(arguments: [1, 3, 4, 7, 8, 130])
    func softmaxOddLengths(count: Int) {
        var x = (0..<count).map { Float($0 % 11) - 4 }
        let expected = x.map { Foundation.exp(Double($0)) }
        let total = expected.reduce(0, +)
        VectorMath.softmax(&x, count: count)
        for (value, reference) in zip(x, expected) { #expect(abs(Double(value) - reference / total) < 1e-6) }
    }
}
