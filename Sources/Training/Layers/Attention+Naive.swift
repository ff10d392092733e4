import Foundation

/// The plain-loop reference of `Attention`, one position and head at a time.
extension Attention {
    /// Reference for `forward`.
    /// - Parameters:
    ///   - out: (T, NH · hd)
    ///   - probabilities: (NH, T, T), written; entries above the diagonal are zero
    ///   - query: (T, NH · hd), already roped
    ///   - key: (T, kvHeads · hd), already roped
    ///   - value: (T, kvHeads · hd)
    public static func naiveForward(out: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
                                    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
                                    shape s: AttentionShape) {
        let group = s.heads / s.kvHeads, scale = 1 / Float(s.headDim).squareRoot()
        for head in 0..<s.heads {
            let kvOffset = (head / group) * s.headDim
            for t in 0..<s.rows {
                let q = query + t * s.queryWidth + head * s.headDim
                let row = probabilities + (head * s.rows + t) * s.rows
                var maximum = -Float.infinity
                for u in 0...t {
                    let k = key + u * s.kvWidth + kvOffset
                    var dot: Float = 0
                    for i in 0..<s.headDim { dot += q[i] * k[i] }
                    row[u] = dot * scale
                    maximum = max(maximum, row[u])
                }
                var sum: Float = 0
                for u in 0...t { row[u] = exp(row[u] - maximum); sum += row[u] }
                for u in 0...t { row[u] /= sum }
                for u in (t + 1)..<s.rows { row[u] = 0 }
                let target = out + t * s.queryWidth + head * s.headDim
                for i in 0..<s.headDim { target[i] = 0 }
                for u in 0...t {
                    let v = value + u * s.kvWidth + kvOffset, p = row[u]
                    for i in 0..<s.headDim { target[i] += p * v[i] }
                }
            }
        }
    }

    /// Reference for `backward`: softmax backward `dS = P ∘ (dP − Σ_u P dP)` with `dP = dOut · vᵀ`, then
    /// `dq = dS k / √hd`, `dk = dSᵀ q / √hd`, `dv = Pᵀ dOut`, summed over the heads of a group.
    /// Overwrites the three input gradients.
    /// - Parameters:
    ///   - queryGradient: (T, NH · hd), written
    ///   - keyGradient: (T, kvHeads · hd), written
    ///   - valueGradient: (T, kvHeads · hd), written
    ///   - outGradient: (T, NH · hd)
    ///   - probabilities: (NH, T, T) from `forward`
    ///   - query, key, value: as passed to `forward`
    public static func naiveBackward(queryGradient: UnsafeMutablePointer<Float>, keyGradient: UnsafeMutablePointer<Float>,
                                     valueGradient: UnsafeMutablePointer<Float>, outGradient: UnsafePointer<Float>,
                                     probabilities: UnsafePointer<Float>, query: UnsafePointer<Float>,
                                     key: UnsafePointer<Float>, value: UnsafePointer<Float>, shape s: AttentionShape) {
        queryGradient.update(repeating: 0, count: s.rows * s.queryWidth)
        keyGradient.update(repeating: 0, count: s.rows * s.kvWidth)
        valueGradient.update(repeating: 0, count: s.rows * s.kvWidth)
        let group = s.heads / s.kvHeads, scale = 1 / Float(s.headDim).squareRoot()
        for head in 0..<s.heads {
            let kvOffset = (head / group) * s.headDim
            for t in 0..<s.rows {
                let rowOffset = t * s.queryWidth + head * s.headDim
                let dOut = outGradient + rowOffset, q = query + rowOffset, dq = queryGradient + rowOffset
                let row = probabilities + (head * s.rows + t) * s.rows
                // dP[u] = dOut · v_u is computed twice (here and below) so nothing is allocated.
                var weighted: Float = 0
                for u in 0...t {
                    let v = value + u * s.kvWidth + kvOffset, dv = valueGradient + u * s.kvWidth + kvOffset
                    var dot: Float = 0
                    for i in 0..<s.headDim { dot += dOut[i] * v[i]; dv[i] += row[u] * dOut[i] }
                    weighted += row[u] * dot
                }
                for u in 0...t {
                    let v = value + u * s.kvWidth + kvOffset
                    var dot: Float = 0
                    for i in 0..<s.headDim { dot += dOut[i] * v[i] }
                    let dScore = row[u] * (dot - weighted) * scale
                    let k = key + u * s.kvWidth + kvOffset, dk = keyGradient + u * s.kvWidth + kvOffset
                    for i in 0..<s.headDim { dq[i] += dScore * k[i]; dk[i] += dScore * q[i] }
                }
            }
        }
    }
}
