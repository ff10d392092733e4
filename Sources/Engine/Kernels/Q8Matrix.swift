import Dispatch

/// A weight matrix in a decode format: multiplies one Q8-quantized activation vector.
public protocol DecodeMatrix: AnyObject, Sendable {
    /// Rows (outputs), N.
    var rows: Int { get }
    /// Columns (inputs), K.
    var columns: Int { get }
    /// Bytes one matvec reads: quants, scales (and minimums).
    var bytes: Int { get }
    /// `out = W · x (+ out if accumulate)` with `kernel`'s instructions, rows split over
    /// `threads` workers.
    func matvec(out: UnsafeMutablePointer<Float>, x: Q8Activation, accumulate: Bool, threads: Int,
                kernel: DecodeKernel)
}

extension DecodeMatrix {
    /// `out = W · x (+ out if accumulate)` with the fastest built kernel.
    public func matvec(out: UnsafeMutablePointer<Float>, x: Q8Activation, accumulate: Bool = false, threads: Int) {
        matvec(out: out, x: x, accumulate: accumulate, threads: threads, kernel: .best)
    }
}

/// A weight matrix held in Q8_0 (blocks of 32 int8 with one scale) for the decode path.
///
/// Quants and scales are stored apart, each contiguous per row, so the dot kernel reads
/// aligned runs of int8: quants (N, K) and scales (N, K/32).
///
/// `@unchecked Sendable`: the buffers are written only in `init` and then read-only.
public final class Q8Matrix: DecodeMatrix, @unchecked Sendable {
    /// Rows (outputs), N.
    public let rows: Int
    /// Columns (inputs), K; a multiple of 32.
    public let columns: Int
    /// (N, K) int8 quants.
    let quants: UnsafeMutablePointer<Int8>
    /// (N, K/32) scales.
    let scales: UnsafeMutablePointer<Float>

    /// Blocks per row.
    var blocksPerRow: Int { columns / 32 }

    /// Bytes one matvec reads: 1 per weight and a 4-byte scale per 32.
    public var bytes: Int { rows * columns + 4 * rows * blocksPerRow }

    /// Quantizes `weights` (N, K) row by row.
    public init(weights: UnsafePointer<Float>, rows: Int, columns: Int) {
        precondition(columns % 32 == 0, "Q8 rows must be a multiple of 32")
        self.rows = rows
        self.columns = columns
        quants = .allocate(capacity: rows * columns)
        scales = .allocate(capacity: rows * columns / 32)
        // Like Q8_0, but the scale stays a float (no f16 rounding: it is never written out).
        for index in 0..<(rows * columns / 32) {
            let values = weights + 32 * index, target = quants + 32 * index
            var amax: Float = 0
            for j in 0..<32 { amax = max(amax, abs(values[j])) }
            let scale = amax / 127, inverse: Float = amax == 0 ? 0 : 127 / amax
            scales[index] = scale
            for j in 0..<32 { target[j] = Quantize.roundToInt8(values[j] * inverse) }
        }
    }

    /// Copies Q8_0 blocks as stored in GGUF (34 bytes each), without requantizing.
    public init(q8_0Blocks: UnsafeRawBufferPointer, rows: Int, columns: Int) {
        precondition(columns % 32 == 0 && q8_0Blocks.count >= rows * columns / 32 * 34)
        self.rows = rows
        self.columns = columns
        quants = .allocate(capacity: rows * columns)
        scales = .allocate(capacity: rows * columns / 32)
        guard let base = q8_0Blocks.baseAddress else { return }
        for index in 0..<(rows * columns / 32) {
            let block = base + 34 * index
            scales[index] = Dequantize.half(block, 0)
            (quants + 32 * index).update(from: (block + 2).assumingMemoryBound(to: Int8.self), count: 32)
        }
    }

    deinit {
        quants.deallocate()
        scales.deallocate()
    }

    /// Row `row` dequantized into `out` (K), e.g. an embedding lookup.
    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        for block in 0..<blocksPerRow {
            let scale = scales[row * blocksPerRow + block]
            let q = quants + row * columns + 32 * block
            for j in 0..<32 { out[32 * block + j] = Float(q[j]) * scale }
        }
    }
}
