import Engine
import Foundation

/// Sizes of causal grouped-query attention: NH query heads share `kvHeads` key/value
/// heads; query head h reads kv head h / (NH / kvHeads), as in `Engine`.
public struct AttentionShape: Sendable, Equatable {
    /// T: positions in the sequence.
    public var rows: Int
    /// NH: query heads.
    public var heads: Int
    /// Key/value heads (divides NH).
    public var kvHeads: Int
    /// Width of one head.
    public var headDim: Int

    /// A shape given explicitly.
    public init(rows: Int, heads: Int, kvHeads: Int, headDim: Int) {
        self.rows = rows
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
    }

    /// C = NH · headDim, the width of q and of the output.
    public var queryWidth: Int { heads * headDim }
    /// kvHeads · headDim, the width of k and v.
    public var kvWidth: Int { kvHeads * headDim }
    /// Floats of the probabilities in the (NH, T, T) layout of the naive reference.
    public var probabilityCount: Int { heads * rows * rows }
    /// Floats of the probabilities `Attention.forward` keeps: per head, each block of
    /// rows only up to its last visible key (about 5/8 of T² at T = 512).
    public var packedProbabilityCount: Int { heads * Attention.packedCount(rows: rows) }
}


/// Causal multi-head attention with GQA, `out_h = softmax(q_h k_gᵀ / √hd + causal mask) v_g`,
/// over `Blas.gemm`: per head, the scores and every gradient product are sgemms. Rows go
/// in blocks of `block`, and a block multiplies only by the keys it can see, which skips
/// most of the masked upper triangle. The (head, block) items are small GEMMs, so they
/// are spread over `threads` workers with single-threaded BLAS calls rather than
/// threading each call. `naiveForward`/`naiveBackward` are the reference.
public enum Attention {
    /// Query rows per block.
    static let block = 128
    /// The most workers `backward`'s scratch is sized for.
    public static let maxWorkers = 8

    /// Floats of one head's packed probabilities: block b's rows × its visible keys.
    static func packedCount(rows T: Int) -> Int {
        let full = T / block
        return block * block * full * (full + 1) / 2 + (T % block) * T
    }

    /// Where the block starting at row `first` (a multiple of `block`) begins in a head's
    /// packed probabilities; its rows are `first + block` (or T) floats apart.
    @inline(__always)
    static func packedOffset(first: Int) -> Int { first * (first + block) / 2 }

    /// Floats of `backward`'s scratch for sequences of up to `shape.rows` tokens: per
    /// worker, a block of score gradients and private key and value gradients.
    public static func scratchCount(shape s: AttentionShape) -> Int {
        maxWorkers * (min(block, s.rows) * s.rows + 2 * s.rows * s.kvWidth)
    }

    /// - Parameters:
    ///   - out: (T, NH · hd)
    ///   - probabilities: `shape.packedProbabilityCount` floats, written: per head and block
    ///     of rows, (rows, visible keys), zero above the diagonal
    ///   - query: (T, NH · hd), already roped
    ///   - key: (T, kvHeads · hd), already roped
    ///   - value: (T, kvHeads · hd)
    ///   - threads: workers for the (head, block) items
    public static func forward(out: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
                               query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
                               shape s: AttentionShape, threads: Int = 1) {
        let buffers = Disjoint(Buffers(out: out, probabilities: probabilities, query: query, key: key, value: value))
        let blocks = (s.rows + block - 1) / block, count = s.heads * blocks
        withSerialBlas(workers: min(threads, count)) {
            Parallel.forEach(count, threads: threads, callsBlas: true) { items in
                for item in items { forwardItem(head: item / blocks, first: (item % blocks) * block, buffers.value, s) }
            }
        }
    }

    /// Softmax backward `dS = P ∘ (dP − Σ_u P dP) / √hd` with `dP = dOut · vᵀ`, then
    /// `dq = dS k`, `dk = dSᵀ q`, `dv = Pᵀ dOut`, summed over the heads of a group.
    /// Overwrites the three input gradients.
    /// - Parameters:
    ///   - queryGradient: (T, NH · hd), written
    ///   - keyGradient: (T, kvHeads · hd), written
    ///   - valueGradient: (T, kvHeads · hd), written
    ///   - scratch: `scratchCount(shape:)` floats, overwritten
    ///   - outGradient: (T, NH · hd)
    ///   - probabilities: packed, from `forward`
    ///   - query, key, value: as passed to `forward`
    ///   - threads: workers for the (head, block) items (at most `maxWorkers`)
    public static func backward(queryGradient: UnsafeMutablePointer<Float>, keyGradient: UnsafeMutablePointer<Float>,
                                valueGradient: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                outGradient: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
                                query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
                                shape s: AttentionShape, threads: Int = 1) {
        let buffers = Disjoint(Buffers(out: UnsafeMutablePointer(mutating: outGradient),
                                       probabilities: UnsafeMutablePointer(mutating: probabilities),
                                       query: query, key: key, value: value))
        let (queryGradient, scratchRegions) = (Disjoint(queryGradient), Disjoint(scratch))
        let (T, kv) = (s.rows, s.kvWidth), blocks = (T + block - 1) / block, count = s.heads * blocks
        let perWorker = min(block, T) * T + 2 * T * kv
        // One range per worker (`threads: workers`), so each has its own scratch region.
        let workers = max(1, min(threads, maxWorkers, count))
        withSerialBlas(workers: workers) {
            Parallel.forEach(workers, threads: workers, callsBlas: true) { shares in
                for worker in shares {
                    let region = scratchRegions.value + worker * perWorker
                    let dKey = region + min(block, T) * T, dValue = dKey + T * kv
                    dKey.update(repeating: 0, count: 2 * T * kv)
                    for item in Parallel.range(part: worker, of: workers, count: count) {
                        backwardItem(head: item / blocks, first: (item % blocks) * block, buffers.value,
                                     queryGradient.value, dScores: region, dKey: dKey, dValue: dValue, s)
                    }
                }
            }
        }
        keyGradient.update(repeating: 0, count: T * kv)
        valueGradient.update(repeating: 0, count: T * kv)
        for worker in 0..<workers {
            let dKey = scratch + worker * perWorker + min(block, T) * T, dValue = dKey + T * kv
            for i in 0..<(T * kv) { keyGradient[i] += dKey[i]; valueGradient[i] += dValue[i] }
        }
    }

    /// The forward pass's tensors, shared by the workers (each writes its own head and rows).
    private struct Buffers {
        let out: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>
        let query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>
    }

    /// Runs `body` with OpenBLAS single-threaded when the (head, block) items are spread
    /// over more than one worker: the items are small GEMMs, threading each would
    /// oversubscribe the cores.
    private static func withSerialBlas(workers: Int, _ body: () -> Void) {
        if workers > 1 { Blas.singleThreaded(body) } else { body() }
    }

    /// Head `head`, query rows `first ..< first + block`: scores, softmax, weighted values.
    private static func forwardItem(head: Int, first: Int, _ b: Buffers, _ s: AttentionShape) {
        let (T, hd, C, kv) = (s.rows, s.headDim, s.queryWidth, s.kvWidth)
        let kvOffset = (head / (s.heads / s.kvHeads)) * hd, scale = 1 / Float(hd).squareRoot()
        let rows = min(block, T - first), visible = first + rows
        let scores = b.probabilities + head * packedCount(rows: T) + packedOffset(first: first)
        // scores (rows, visible) = q_h (rows, hd) · k_g (visible, hd)ᵀ · scale
        Blas.gemm(out: scores, outStride: visible, a: b.query + first * C + head * hd, aStride: C,
                  b: b.key + kvOffset, bStride: kv, bTransposed: true, rows: rows, columns: visible, inner: hd,
                  scale: scale)
        for t in 0..<rows { softmaxCausal(scores + t * visible, visible: first + t + 1, width: visible) }
        // out_h (rows, hd) = P (rows, visible) · v_g (visible, hd)
        Blas.gemm(out: b.out + first * C + head * hd, outStride: C, a: scores, aStride: visible,
                  b: b.value + kvOffset, bStride: kv, rows: rows, columns: hd, inner: visible)
    }

    /// The backward of one item; `b.out` holds dOut. Key and value gradients accumulate
    /// into the worker's `dKey`, `dValue` (T, kvDim); `dScores` is its (rows, visible) scratch.
    private static func backwardItem(head: Int, first: Int, _ b: Buffers, _ queryGradient: UnsafeMutablePointer<Float>,
                                     dScores: UnsafeMutablePointer<Float>, dKey: UnsafeMutablePointer<Float>,
                                     dValue: UnsafeMutablePointer<Float>, _ s: AttentionShape) {
        let (T, hd, C, kv) = (s.rows, s.headDim, s.queryWidth, s.kvWidth)
        let kvOffset = (head / (s.heads / s.kvHeads)) * hd, scale = 1 / Float(hd).squareRoot()
        let rows = min(block, T - first), visible = first + rows
        let scores = b.probabilities + head * packedCount(rows: T) + packedOffset(first: first)
        let dOut = b.out + first * C + head * hd
        // dv_g (visible, hd) += P (rows, visible)ᵀ · dOut_h (rows, hd)
        Blas.gemm(out: dValue + kvOffset, outStride: kv, a: scores, aStride: visible, aTransposed: true,
                  b: dOut, bStride: C, rows: visible, columns: hd, inner: rows, accumulate: true)
        // dP (rows, visible) = dOut_h (rows, hd) · v_g (visible, hd)ᵀ
        Blas.gemm(out: dScores, outStride: visible, a: dOut, aStride: C, b: b.value + kvOffset, bStride: kv,
                  bTransposed: true, rows: rows, columns: visible, inner: hd)
        for t in 0..<rows {
            softmaxBackward(dScores + t * visible, probabilities: scores + t * visible, visible: first + t + 1,
                            width: visible, scale: scale)
        }
        // dq_h (rows, hd) = dS (rows, visible) · k_g (visible, hd)
        Blas.gemm(out: queryGradient + first * C + head * hd, outStride: C, a: dScores, aStride: visible,
                  b: b.key + kvOffset, bStride: kv, rows: rows, columns: hd, inner: visible)
        // dk_g (visible, hd) += dS (rows, visible)ᵀ · q_h (rows, hd)
        Blas.gemm(out: dKey + kvOffset, outStride: kv, a: dScores, aStride: visible, aTransposed: true,
                  b: b.query + first * C + head * hd, bStride: C, rows: visible, columns: hd, inner: rows,
                  accumulate: true)
    }

    /// Softmax of `row[0 ..< visible]` in place; `row[visible ..< width]` set to zero.
    @inline(__always)
    private static func softmaxCausal(_ row: UnsafeMutablePointer<Float>, visible: Int, width: Int) {
        VectorMath.softmax(row, count: visible)
        (row + visible).update(repeating: 0, count: width - visible)
    }

    /// `dS = P ∘ (dP − Σ P dP) · scale` in place on `gradient[0 ..< visible]`; zero after.
    @inline(__always)
    private static func softmaxBackward(_ gradient: UnsafeMutablePointer<Float>, probabilities: UnsafePointer<Float>,
                                        visible: Int, width: Int, scale: Float) {
        var weighted: Float = 0
        for u in 0..<visible { weighted += probabilities[u] * gradient[u] }
        for u in 0..<visible { gradient[u] = probabilities[u] * (gradient[u] - weighted) * scale }
        for u in visible..<width { gradient[u] = 0 }
    }
}
