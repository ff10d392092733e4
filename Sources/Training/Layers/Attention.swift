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
/// over OpenBLAS: per head, the scores and every gradient product are sgemms. Rows go
/// in blocks of `block`, and a block multiplies only by the keys it can see, which skips
/// most of the masked upper triangle. `naiveForward`/`naiveBackward` are the reference.
public enum Attention {
    /// Query rows per block.
    static let block = 128

    /// Floats of one head's packed probabilities: block b's rows × its visible keys.
    static func packedCount(rows T: Int) -> Int {
        let full = T / block
        return block * block * full * (full + 1) / 2 + (T % block) * T
    }

    /// Where the block starting at row `first` (a multiple of `block`) begins in a head's
    /// packed probabilities; its rows are `first + block` (or T) floats apart.
    @inline(__always)
    static func packedOffset(first: Int) -> Int { first * (first + block) / 2 }

    /// - Parameters:
    ///   - out: (T, NH · hd)
    ///   - probabilities: `shape.packedProbabilityCount` floats, written: per head and block
    ///     of rows, (rows, visible keys), zero above the diagonal
    ///   - query: (T, NH · hd), already roped
    ///   - key: (T, kvHeads · hd), already roped
    ///   - value: (T, kvHeads · hd)
    public static func forward(out: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
                               query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
                               shape s: AttentionShape) {
        let group = s.heads / s.kvHeads, scale = 1 / Float(s.headDim).squareRoot()
        let (T, hd, C, kv) = (s.rows, s.headDim, s.queryWidth, s.kvWidth)
        for head in 0..<s.heads {
            let kvOffset = (head / group) * hd, p = probabilities + head * packedCount(rows: T)
            for first in stride(from: 0, to: T, by: block) {
                let rows = min(block, T - first), visible = first + rows, scores = p + packedOffset(first: first)
                // scores (rows, visible) = q_h (rows, hd) · k_g (visible, hd)ᵀ · scale
                gemm(.noTrans, .trans, rows, visible, hd, scale, query + first * C + head * hd, C,
                     key + kvOffset, kv, 0, scores, visible)
                for t in 0..<rows { softmaxCausal(scores + t * visible, visible: first + t + 1, width: visible) }
                // out_h (rows, hd) = P (rows, visible) · v_g (visible, hd)
                gemm(.noTrans, .noTrans, rows, hd, visible, 1, scores, visible, value + kvOffset, kv, 0,
                     out + first * C + head * hd, C)
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
    ///   - scratch: (block, T), overwritten
    ///   - outGradient: (T, NH · hd)
    ///   - probabilities: packed, from `forward`
    ///   - query, key, value: as passed to `forward`
    public static func backward(queryGradient: UnsafeMutablePointer<Float>, keyGradient: UnsafeMutablePointer<Float>,
                                valueGradient: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                outGradient: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
                                query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
                                shape s: AttentionShape) {
        let group = s.heads / s.kvHeads, scale = 1 / Float(s.headDim).squareRoot()
        let (T, hd, C, kv) = (s.rows, s.headDim, s.queryWidth, s.kvWidth)
        keyGradient.update(repeating: 0, count: T * kv)
        valueGradient.update(repeating: 0, count: T * kv)
        for head in 0..<s.heads {
            let kvOffset = (head / group) * hd, p = probabilities + head * packedCount(rows: T)
            for first in stride(from: 0, to: T, by: block) {
                let rows = min(block, T - first), visible = first + rows
                let scores = p + packedOffset(first: first), dScores = scratch
                let dOut = outGradient + first * C + head * hd
                // dv_g (visible, hd) += P (rows, visible)ᵀ · dOut_h (rows, hd)
                gemm(.trans, .noTrans, visible, hd, rows, 1, scores, visible, dOut, C, 1, valueGradient + kvOffset, kv)
                // dP (rows, visible) = dOut_h (rows, hd) · v_g (visible, hd)ᵀ
                gemm(.noTrans, .trans, rows, visible, hd, 1, dOut, C, value + kvOffset, kv, 0, dScores, visible)
                for t in 0..<rows {
                    softmaxBackward(dScores + t * visible, probabilities: scores + t * visible, visible: first + t + 1,
                                    width: visible, scale: scale)
                }
                // dq_h (rows, hd) = dS (rows, visible) · k_g (visible, hd)
                gemm(.noTrans, .noTrans, rows, hd, visible, 1, dScores, visible, key + kvOffset, kv, 0,
                     queryGradient + first * C + head * hd, C)
                // dk_g (visible, hd) += dS (rows, visible)ᵀ · q_h (rows, hd)
                gemm(.trans, .noTrans, visible, hd, rows, 1, dScores, visible, query + first * C + head * hd, C, 1,
                     keyGradient + kvOffset, kv)
            }
        }
    }

    /// Softmax of `row[0 ..< visible]` in place; `row[visible ..< width]` set to zero.
    @inline(__always)
    private static func softmaxCausal(_ row: UnsafeMutablePointer<Float>, visible: Int, width: Int) {
        let maximum = VectorMath.maximum(row, count: visible)
        let sum = VectorMath.sumOfExponentials(row, count: visible, shift: maximum)
        VectorMath.scaledExponentials(row, count: visible, shift: maximum, scale: 1 / sum)
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
