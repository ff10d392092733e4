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

    /// Every transpose combination, overwriting and accumulating, with a scale.
    @Test(arguments: [(1, 64, 96), (7, 576, 192), (33, 100, 70)])
    func gemm(rows: Int, inner: Int, columns: Int) {
        let a = randomValues(rows * inner, seed: 1), b = randomValues(inner * columns, seed: 2)
        let start = randomValues(rows * columns, seed: 3)
        for (aTransposed, bTransposed) in [(false, false), (false, true), (true, false), (true, true)] {
            // The same arrays, read as (rows, inner) or (inner, rows), (inner, columns) or (columns, inner).
            let aStride = aTransposed ? rows : inner, bStride = bTransposed ? inner : columns
            for accumulate in [false, true] {
                var fast = start, naive = start
                Blas.gemm(out: &fast, outStride: columns, a: a, aStride: aStride, aTransposed: aTransposed,
                          b: b, bStride: bStride, bTransposed: bTransposed,
                          rows: rows, columns: columns, inner: inner, scale: 0.75, accumulate: accumulate)
                Blas.naiveGemm(out: &naive, outStride: columns, a: a, aStride: aStride, aTransposed: aTransposed,
                               b: b, bStride: bStride, bTransposed: bTransposed,
                               rows: rows, columns: columns, inner: inner, scale: 0.75, accumulate: accumulate)
                #expect(maxDifference(fast, naive) < 1e-4, "\(aTransposed) \(bTransposed) \(accumulate)")
            }
        }
    }

    /// The strided form the attention uses: column blocks of wider matrices, checked
    /// against the naive kernel on packed copies.
    @Test func stridedGemm() {
        let (rows, inner, columns, stride) = (5, 16, 9, 40)
        let a = randomValues(rows * stride, seed: 4), b = randomValues(columns * stride, seed: 5)
        var fast = [Float](repeating: 0, count: rows * stride)
        Blas.gemm(out: &fast, outStride: stride, a: a, aStride: stride, b: b, bStride: stride, bTransposed: true,
                  rows: rows, columns: columns, inner: inner, scale: 0.5)
        let packedA = (0..<rows).flatMap { a[($0 * stride)..<($0 * stride + inner)] }
        let packedB = (0..<columns).flatMap { b[($0 * stride)..<($0 * stride + inner)] }
        var naive = [Float](repeating: 0, count: rows * columns)
        Blas.naiveGemm(out: &naive, outStride: columns, a: packedA, aStride: inner, b: packedB, bStride: inner,
                       bTransposed: true, rows: rows, columns: columns, inner: inner, scale: 0.5)
        let packedFast = (0..<rows).flatMap { fast[($0 * stride)..<($0 * stride + columns)] }
        #expect(maxDifference(packedFast, naive) < 1e-5)
        let beyond = (0..<rows).flatMap { fast[($0 * stride + columns)..<(($0 + 1) * stride)] }
        #expect(beyond.allSatisfy { $0 == 0 })
    }

    @Test func matvec() {
        let (outputs, inner) = (70, 576)
        let weight = randomValues(outputs * inner, seed: 8), x = randomValues(inner, seed: 9)
        var fast = [Float](repeating: 1, count: outputs), naive = fast
        Blas.matvec(out: &fast, weight: weight, x: x, outputs: outputs, inner: inner, accumulate: true)
        Blas.naiveGemm(out: &naive, outStride: outputs, a: x, aStride: inner, b: weight, bStride: inner,
                       bTransposed: true, rows: 1, columns: outputs, inner: inner, accumulate: true)
        #expect(maxDifference(fast, naive) < 1e-4)
    }

    /// With activations that Q8 represents exactly (integers with max 127, scale 1), the
    /// integer kernel must equal the naive dequantized product to float rounding.
    @Test(arguments: [1, 2], DecodeKernel.built)
    func q8IntegerKernelIsExact(threads: Int, kernel: DecodeKernel) {
        let (rows, columns) = (300, 192)
        let matrix = Q8Matrix(weights: randomValues(rows * columns, seed: 10), rows: rows, columns: columns)
        var x = (0..<columns).map { Float(($0 * 37) % 255 - 127) }
        for block in 0..<(columns / 32) { x[32 * block] = 127 }  // every block's max is 127
        let activation = Q8Activation(capacity: columns)
        activation.quantize(x, count: columns)
        var fast = [Float](repeating: 0, count: rows), naive = fast
        matrix.matvec(out: &fast, x: activation, accumulate: false, threads: threads, kernel: kernel)
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
            #expect((0..<32).map { activation.quants[32 * b + $0] } == expected, "block \(b)")
            let amax = x[(32 * b)..<(32 * b + 32)].filter { !$0.isNaN }.map(abs).max() ?? 0
            #expect(activation.scales[b] == amax / 127)
        }
    }

    @Test(arguments: DecodeKernel.built)
    func q8IntegerKernelOnRandomActivations(kernel: DecodeKernel) {
        let (rows, columns) = (128, 1536)
        let matrix = Q8Matrix(weights: randomValues(rows * columns, seed: 11), rows: rows, columns: columns)
        let x = randomValues(columns, seed: 12)
        let activation = Q8Activation(capacity: columns)
        activation.quantize(x, count: columns)
        var fast = [Float](repeating: 2, count: rows), naive = [Float](repeating: 0, count: rows)
        matrix.matvec(out: &fast, x: activation, accumulate: true, threads: 2, kernel: kernel)
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
