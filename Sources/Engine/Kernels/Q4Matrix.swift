/// A weight matrix held in Q4_1 (blocks of 32 four-bit values with a scale and a minimum,
/// `w = q·d + m`) for the decode path: 0.625 bytes per weight against Q8's 1.125. A Q4_1
/// file's tensors are kept exactly as stored.
///
/// Nibbles, scales and minimums are stored apart: nibbles (N, K/2) in GGUF's order (byte
/// j of a block holds element j low and element j + 16 high), scales and minimums
/// (N, K/32) as f16, as in the file (as f32 they made 0.75 bytes a weight: a token of the
/// shipped model read 111.5 MB instead of 98).
///
/// `@unchecked Sendable`: the buffers are written only in `init` and then read-only.
public final class Q4Matrix: DecodeMatrix, @unchecked Sendable {
    /// Rows (outputs), N.
    public let rows: Int
    /// Columns (inputs), K; a multiple of 32.
    public let columns: Int
    /// (N, K/2) packed nibbles.
    let nibbles: UnsafeMutablePointer<UInt8>
    /// (N, K/32) scales d.
    let scales: UnsafeMutablePointer<Float16>
    /// (N, K/32) minimums m.
    let minimums: UnsafeMutablePointer<Float16>

    /// Blocks per row.
    var blocksPerRow: Int { columns / 32 }

    /// Bytes one matvec reads: half a byte per weight, a 2-byte scale and minimum per 32.
    public var bytes: Int { rows * columns / 2 + 4 * rows * blocksPerRow }

    private init(rows: Int, columns: Int) {
        precondition(columns % 32 == 0, "Q4 rows must be a multiple of 32")
        self.rows = rows
        self.columns = columns
        nibbles = .allocate(capacity: rows * columns / 2)
        scales = .allocate(capacity: rows * columns / 32)
        minimums = .allocate(capacity: rows * columns / 32)
    }

    /// Quantizes `weights` (N, K) with ggml's Q4_1 rule: d = (max − min)/15, m = min,
    /// q = round((w − m)/d), d and m kept as f16.
    public convenience init(weights: UnsafePointer<Float>, rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns)
        for index in 0..<(rows * columns / 32) {
            let values = weights + 32 * index
            var low = values[0], high = values[0]
            for j in 1..<32 { low = min(low, values[j]); high = max(high, values[j]) }
            let scale = (high - low) / 15, inverse: Float = high == low ? 0 : 1 / scale
            scales[index] = Float16(scale)
            minimums[index] = Float16(low)
            for j in 0..<16 {
                let first = UInt8(min(15, (values[j] - low) * inverse + 0.5))
                let second = UInt8(min(15, (values[j + 16] - low) * inverse + 0.5))
                nibbles[16 * index + j] = first | second << 4
            }
        }
    }

    /// Copies the parts' Q4_1 blocks as stored in GGUF (20 bytes each), stacked in order.
    /// - Parameter parts: each part's blocks and its row count; all parts have `columns` columns
    public convenience init(q4_1Parts parts: [(blocks: UnsafeRawBufferPointer, rows: Int)], columns: Int) {
        self.init(rows: parts.reduce(0) { $0 + $1.rows }, columns: columns)
        var index = 0
        for part in parts {
            let count = part.rows * columns / 32
            precondition(part.blocks.count >= 20 * count)
            guard let base = part.blocks.baseAddress else { continue }
            for local in 0..<count {
                let block = base + 20 * local
                scales[index] = Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(as: UInt16.self)))
                minimums[index] = Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
                (nibbles + 16 * index).update(from: (block + 4).assumingMemoryBound(to: UInt8.self), count: 16)
                index += 1
            }
        }
    }

    deinit {
        nibbles.deallocate()
        scales.deallocate()
        minimums.deallocate()
    }

    /// Element (row, column) as the kernel sees it: q·d + m.
    public func value(row: Int, column: Int) -> Float {
        let block = row * blocksPerRow + column / 32, j = column % 32
        let byte = nibbles[16 * block + j % 16]
        return Float(j < 16 ? byte & 0x0F : byte >> 4) * Float(scales[block]) + Float(minimums[block])
    }
}

extension Q4Matrix {
    /// `out = W · x (+ out if accumulate)` with x quantized to Q8: Σ_blocks d·s·Σ q·a + m·s·Σ a.
    /// Rows are split over `threads` workers (see `Q8Matrix.rowsPerThread`).
    /// - Parameters:
    ///   - out: (N)
    ///   - x: (K) quantized
    public func matvec(out: UnsafeMutablePointer<Float>, x: Q8Activation, accumulate: Bool, threads: Int,
                       kernel: DecodeKernel) {
        precondition(x.capacity >= columns)
        let blocks = blocksPerRow
        let weights = Disjoint((nibbles, scales, minimums))
        let input = Disjoint((x.quants, x.expanded, x.scales, x.sums)), target = Disjoint(out)
        Parallel.forEach(rows, threads: threads, minimumPerThread: Q8Matrix.rowsPerThread) { range in
            let (nibbles, scales, minimums) = weights.value
            let (quants, expanded, inputScales, sums) = input.value
            for row in range {
                let (n, d, m) = (nibbles + 16 * blocks * row, scales + blocks * row, minimums + blocks * row)
                let sum: Float
                switch kernel {
                case .portable: sum = Self.rowDot(n, d, m, (expanded, inputScales, sums), blocks)
                case .avx2:
                    #if RETORT_AVX2
                    sum = Self.rowDotAVX2(n, d, m, (quants, inputScales, sums), blocks)
                    #else
                    preconditionFailure("the avx2 kernel is not built in")
                    #endif
                }
                target.value[row] = accumulate ? target.value[row] + sum : sum
            }
        }
    }

    /// One Q4_1 row against a Q8 activation. The 16 nibble bytes of a block load as eight
    /// 16-bit lanes (bytes 2i, 2i + 1); masks and shifts pick elements 2i, 2i + 1 (low
    /// nibbles) and 16 + 2i, 17 + 2i (high nibbles), which meet the first and second halves
    /// of the activation's even and odd int16 runs (`Q8Activation.expanded`); the widen-multiply-add-pairs
    /// pattern compiles to `pmaddwd`. The minimums need only each activation block's sum.
    @inline(__always)
    static func rowDot(
        _ nibbles: UnsafePointer<UInt8>, _ scales: UnsafePointer<Float16>, _ minimums: UnsafePointer<Float16>,
        _ activation: (expanded: UnsafeMutablePointer<Int16>, scales: UnsafeMutablePointer<Float>,
                       sums: UnsafeMutablePointer<Float>),
        _ blocks: Int
    ) -> Float {
        var acc = SIMD4<Float>(), offsets: Float = 0
        for block in 0..<blocks {
            let x = UnsafeRawPointer(nibbles + 16 * block).loadUnaligned(as: SIMD8<Int16>.self)
            let a = UnsafeRawPointer(activation.expanded + 32 * block)
            var sum = SIMD4<Int32>()
            for half in 0..<2 {
                // half 0: the low nibbles (elements 0..15); half 1: the high ones (16..31).
                let shifted = x &>> SIMD8<Int16>(repeating: Int16(4 * half))
                let even = a.loadUnaligned(fromByteOffset: 16 * half, as: SIMD8<Int16>.self)
                let odd = a.loadUnaligned(fromByteOffset: 32 + 16 * half, as: SIMD8<Int16>.self)
                let evenProducts = SIMD8<Int32>(truncatingIfNeeded: shifted & 0x0F) &* SIMD8<Int32>(truncatingIfNeeded: even)
                let oddProducts = SIMD8<Int32>(truncatingIfNeeded: (shifted &>> 8) & 0x0F) &* SIMD8<Int32>(truncatingIfNeeded: odd)
                sum &+= (evenProducts.evenHalf &+ evenProducts.oddHalf) &+ (oddProducts.evenHalf &+ oddProducts.oddHalf)
            }
            acc += SIMD4<Float>(sum) * (Float(scales[block]) * activation.scales[block])
            offsets += Float(minimums[block]) * activation.sums[block]
        }
        return acc.sum() + offsets
    }

    /// Naive reference: `out = W · x` in double precision, W as `value(row:column:)`.
    public func naiveMatvec(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>) {
        for row in 0..<rows {
            var sum: Double = 0
            for column in 0..<columns { sum += Double(value(row: row, column: column)) * Double(x[column]) }
            out[row] = Float(sum)
        }
    }
}
