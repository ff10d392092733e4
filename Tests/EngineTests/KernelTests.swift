import Foundation
import Testing
@testable import Engine

/// Every BLAS and SIMD path against its naive reference kernel.
@Suite struct KernelTests {
    private func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in random.nextUnit() * 2 - 1 }
    }

    private func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test(arguments: [(1, 64, 96), (7, 576, 192), (33, 100, 70)])
    func matmulTransposed(rows: Int, inner: Int, outputs: Int) {
        let input = randomValues(rows * inner, seed: 1), weight = randomValues(outputs * inner, seed: 2)
        let start = randomValues(rows * outputs, seed: 3)
        for accumulate in [false, true] {
            var fast = start, naive = start
            Blas.matmulTransposed(out: &fast, input: input, weight: weight, rows: rows, inner: inner,
                                  outputs: outputs, accumulate: accumulate)
            Blas.naiveMatmulTransposed(out: &naive, input: input, weight: weight, rows: rows, inner: inner,
                                       outputs: outputs, accumulate: accumulate)
            #expect(maxDifference(fast, naive) < 1e-4)
        }
    }

    /// The strided form the attention uses: a column block of a wider matrix.
    @Test func stridedMatmulTransposed() {
        let (rows, inner, outputs, stride) = (5, 16, 9, 40)
        let input = randomValues(rows * stride, seed: 4), weight = randomValues(outputs * stride, seed: 5)
        var fast = [Float](repeating: 0, count: rows * outputs)
        Blas.matmulTransposed(out: &fast, input: input, inputStride: stride, weight: weight, weightStride: stride,
                              rows: rows, inner: inner, outputs: outputs, scale: 0.5)
        let packedInput = (0..<rows).flatMap { input[($0 * stride)..<($0 * stride + inner)] }
        let packedWeight = (0..<outputs).flatMap { weight[($0 * stride)..<($0 * stride + inner)] }
        var naive = [Float](repeating: 0, count: rows * outputs)
        Blas.naiveMatmulTransposed(out: &naive, input: packedInput, weight: packedWeight, rows: rows, inner: inner,
                                   outputs: outputs)
        #expect(maxDifference(fast, naive.map { $0 * 0.5 }) < 1e-5)
    }

    @Test func matmul() {
        let (m, k, n) = (6, 50, 64)
        let a = randomValues(m * k, seed: 6), b = randomValues(k * n, seed: 7)
        var fast = [Float](repeating: 0, count: m * n), naive = fast
        Blas.matmul(out: &fast, outStride: n, a: a, aStride: k, b: b, bStride: n, m: m, k: k, n: n)
        Blas.naiveMatmul(out: &naive, a: a, b: b, m: m, k: k, n: n)
        #expect(maxDifference(fast, naive) < 1e-4)
    }

    @Test func matvec() {
        let (outputs, inner) = (70, 576)
        let weight = randomValues(outputs * inner, seed: 8), x = randomValues(inner, seed: 9)
        var fast = [Float](repeating: 1, count: outputs), naive = fast
        Blas.matvec(out: &fast, weight: weight, x: x, outputs: outputs, inner: inner, accumulate: true)
        Blas.naiveMatmulTransposed(out: &naive, input: x, weight: weight, rows: 1, inner: inner,
                                   outputs: outputs, accumulate: true)
        #expect(maxDifference(fast, naive) < 1e-4)
    }

    /// With activations that Q8 represents exactly (integers with max 127, scale 1), the
    /// integer kernel must equal the naive dequantized product to float rounding.
    @Test(arguments: [1, 2])
    func q8IntegerKernelIsExact(threads: Int) {
        let (rows, columns) = (300, 192)
        let matrix = Q8Matrix(weights: randomValues(rows * columns, seed: 10), rows: rows, columns: columns)
        var x = (0..<columns).map { Float(($0 * 37) % 255 - 127) }
        for block in 0..<(columns / 32) { x[32 * block] = 127 }  // every block's max is 127
        let activation = Q8Activation(capacity: columns)
        activation.quantize(x, count: columns)
        var fast = [Float](repeating: 0, count: rows), naive = fast
        matrix.matvec(out: &fast, x: activation, threads: threads)
        matrix.naiveMatvec(out: &naive, x: x)
        let scale = naive.map(abs).max() ?? 1
        #expect(maxDifference(fast, naive) <= 1e-5 * scale)
    }

    /// The vectorized activation quantizer against the scalar Q8_0 rule (`Quantize.q8_0Block`):
    /// ties, negatives, an all-zero block and a NaN; then the kernel's lane order.
    @Test func q8ActivationMatchesTheScalarRule() {
        var x = randomValues(128, seed: 16)
        for j in 0..<31 { x[32 + j] = Float(j) - 15.5 }  // scale 1 (x[63] = 127): every value a tie
        x[63] = 127
        for j in 0..<32 { x[64 + j] = 0 }
        x[100] = .nan
        let activation = Q8Activation(capacity: 128)
        activation.quantize(x, count: 128)
        var block = [UInt8](repeating: 0, count: 34)
        for b in 0..<4 {
            x.withUnsafeBufferPointer { values in
                block.withUnsafeMutableBytes { Quantize.q8_0Block(values.baseAddress! + 32 * b, into: $0.baseAddress!) }
            }
            let expected = block[2...].map { Int8(bitPattern: $0) }
            // Element j sits at lane j/2 of the even run or of the odd run (16 lanes on).
            let actual = (0..<32).map { j in activation.expanded[32 * b + j / 2 + 16 * (j % 2)] }
            #expect(actual == expected.map(Int16.init), "block \(b)")
            let amax = x[(32 * b)..<(32 * b + 32)].filter { !$0.isNaN }.map(abs).max() ?? 0
            #expect(activation.scales[b] == amax / 127)
        }
    }

    @Test func q8IntegerKernelOnRandomActivations() {
        let (rows, columns) = (128, 1536)
        let matrix = Q8Matrix(weights: randomValues(rows * columns, seed: 11), rows: rows, columns: columns)
        let x = randomValues(columns, seed: 12)
        let activation = Q8Activation(capacity: columns)
        activation.quantize(x, count: columns)
        var fast = [Float](repeating: 2, count: rows), naive = [Float](repeating: 0, count: rows)
        matrix.matvec(out: &fast, x: activation, accumulate: true, threads: 2)
        matrix.naiveMatvec(out: &naive, x: x)
        // Activation rounding is uniform within ±scale/2 (scale ≈ 1/127), so each sum is off
        // by σ ≈ √1536 · (1/127)/√12 · 0.58 ≈ 0.05; allow 5σ.
        #expect(maxDifference(fast, naive.map { $0 + 2 }) < 0.25)
    }

    @Test(arguments: [1, 2])
    func q8FloatKernel(threads: Int) {
        let (rows, columns) = (257, 576)
        let matrix = Q8Matrix(weights: randomValues(rows * columns, seed: 13), rows: rows, columns: columns)
        let x = randomValues(columns, seed: 14)
        var fast = [Float](repeating: 0, count: rows), naive = fast
        matrix.matvec(out: &fast, x: x, threads: threads)
        matrix.naiveMatvec(out: &naive, x: x)
        #expect(maxDifference(fast, naive) < 1e-4)
    }

    @Test func q8MatrixFromGGUFBlocksMatchesDequantize() {
        let values = randomValues(2 * 64, seed: 15)
        let blocks = Quantize.q8_0(values)
        let matrix = blocks.withUnsafeBytes { Q8Matrix(q8_0Blocks: $0, rows: 2, columns: 64) }
        var row = [Float](repeating: 0, count: 64), expected = [Float](repeating: 0, count: 128)
        blocks.withUnsafeBytes { source in expected.withUnsafeMutableBufferPointer { Dequantize.values(source, type: .q8_0, into: $0) } }
        matrix.dequantizeRow(1, into: &row)
        #expect(row == Array(expected[64...]))
    }

    @Test func softmaxAndNorm() {
        var x: [Float] = [1, 2, 3, 4]
        VectorMath.softmax(&x, count: 4)
        let expected = [1, 2, 3, 4].map { exp(Float($0)) }
        let total = expected.reduce(0, +)
        #expect(maxDifference(x, expected.map { $0 / total }) < 1e-6)
        var out = [Float](repeating: 0, count: 4)
        Ops.rmsNorm(out: &out, x: [3, 4, 0, 0], weight: [1, 1, 2, 2], rows: 1, channels: 4, epsilon: 0)
        #expect(maxDifference(out, [1.2, 1.6, 0, 0]) < 1e-6)
    }
}
