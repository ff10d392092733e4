import Foundation
import Testing
@testable import Engine

/// The Q4_1 decode matrix: GGUF blocks kept exactly, ggml's quantization rule, and the
/// integer kernel against the naive product.
@Suite struct Q4MatrixTests {
    private func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in random.nextUnit() * 2 - 1 }
    }

    /// Hand-built Q4_1 blocks: f16 d, f16 m, 16 bytes of nibble pairs.
    private func blocks(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SeededGenerator(seed: seed), bytes: [UInt8] = []
        for _ in 0..<count {
            let d = Float16(random.nextUnit() * 0.1 + 0.01), m = Float16(random.nextUnit() - 0.5)
            for half in [d.bitPattern, m.bitPattern] { bytes += [UInt8(half & 0xFF), UInt8(half >> 8)] }
            bytes += (0..<16).map { _ in UInt8(random.nextUnit() * 256) }
        }
        return bytes
    }

    @Test func ggufBlocksAreKeptExactlyAndPartsStack() {
        let (columns, first, second) = (64, 3, 2)
        let a = blocks(first * 2, seed: 1), b = blocks(second * 2, seed: 2)
        let matrix = a.withUnsafeBytes { partA in
            b.withUnsafeBytes { partB in Q4Matrix(q4_1Parts: [(partA, first), (partB, second)], columns: columns) }
        }
        var expected = [Float](repeating: 0, count: (first + second) * columns)
        expected.withUnsafeMutableBufferPointer { out in
            a.withUnsafeBytes { Dequantize.values($0, type: .q4_1, into: UnsafeMutableBufferPointer(rebasing: out[..<(first * columns)])) }
            b.withUnsafeBytes { Dequantize.values($0, type: .q4_1, into: UnsafeMutableBufferPointer(rebasing: out[(first * columns)...])) }
        }
        #expect(matrix.rows == first + second)
        for row in 0..<matrix.rows {
            for column in 0..<columns {
                #expect(matrix.value(row: row, column: column) == expected[row * columns + column])
            }
        }
    }

    @Test func quantizationFollowsTheQ4_1Rule() {
        var weights = randomValues(4 * 32, seed: 3)
        for j in 0..<32 { weights[32 + j] = 0.25 * Float(j % 16) - 1 }  // on the grid: exact
        for j in 0..<32 { weights[64 + j] = 0.5 }                         // constant block
        let matrix = Q4Matrix(weights: weights, rows: 1, columns: 128)
        for block in 0..<4 {
            let values = weights[(32 * block)..<(32 * block + 32)]
            let step = ((values.max() ?? 0) - (values.min() ?? 0)) / 15
            for j in 0..<32 {
                let error = abs(matrix.value(row: 0, column: 32 * block + j) - weights[32 * block + j])
                #expect(error <= step / 2 + 1e-6, "block \(block) element \(j): error \(error), step \(step)")
            }
        }
        #expect((0..<32).allSatisfy { matrix.value(row: 0, column: 32 + $0) == weights[32 + $0] })
        #expect((0..<32).allSatisfy { matrix.value(row: 0, column: 64 + $0) == 0.5 })
    }

    /// With activations Q8 represents exactly (integers, each block's max 127), the kernel
    /// must equal the naive product of the stored weights to float rounding.
    @Test(arguments: [1, 2], DecodeKernel.built)
    func integerKernelIsExact(threads: Int, kernel: DecodeKernel) {
        let (rows, columns) = (9000, 64)  // enough rows to split over two threads
        let matrix = Q4Matrix(weights: randomValues(rows * columns, seed: 4), rows: rows, columns: columns)
        var x = (0..<columns).map { Float(($0 * 53) % 255 - 127) }
        for block in 0..<(columns / 32) { x[32 * block + 5] = -127 }
        let activation = Q8Activation(capacity: columns)
        activation.quantize(x, count: columns)
        var fast = [Float](repeating: 1, count: rows), naive = [Float](repeating: 0, count: rows)
        matrix.matvec(out: &fast, x: activation, accumulate: true, threads: threads, kernel: kernel)
        matrix.naiveMatvec(out: &naive, x: x)
        let scale = naive.map(abs).max() ?? 1
        let worst = zip(fast, naive).map { abs($0 - 1 - $1) }.max() ?? .infinity
        #expect(worst <= 2e-5 * scale, "max error \(worst) at scale \(scale)")
    }
}
