extension InferenceSession {
    /// `out (T, outputs) = input (T, inputs) · Wᵀ (+ out)`: sgemm for batches, the Q8
    /// kernel (or sgemv) for a single decode row.
    func linear(out: UnsafeMutablePointer<Float>, input: UnsafeMutablePointer<Float>, rows: Int,
                _ layer: Linear, accumulate: Bool = false) {
        if rows == 1, let quantized = layer.quantized {
            buffers.quantized.quantize(input, count: layer.inputs)
            quantized.matvec(out: out, x: buffers.quantized, accumulate: accumulate, threads: model.threads)
        } else if rows == 1 {
            Blas.matvec(out: out, weight: layer.weight, x: input, outputs: layer.outputs, inner: layer.inputs,
                        accumulate: accumulate)
        } else {
            Blas.gemm(out: out, outStride: layer.outputs, a: input, aStride: layer.inputs,
                      b: layer.weight, bStride: layer.inputs, bTransposed: true,
                      rows: rows, columns: layer.outputs, inner: layer.inputs, accumulate: accumulate)
        }
    }

    /// Copies the roped keys and the values of the batch into the cache of `layer`.
    func appendToCache(layer: Int, rows: Int) {
        let c = model.config
        let keys = cache.keys(layer: layer), values = cache.values(layer: layer)
        for t in 0..<rows {
            let row = buffers.qkv + t * c.qkvWidth
            (keys + (length + t) * c.kvDim).update(from: row + c.channels, count: c.kvDim)
            (values + (length + t) * c.kvDim).update(from: row + c.channels + c.kvDim, count: c.kvDim)
        }
    }

    /// Query rows per attention block: a block attends only to the keys up to its last
    /// row, which skips most of the masked upper triangle of a long prefill.
    static let attentionBlock = 128

    /// Causal grouped-query attention of the batch against the cache:
    /// query head h reads kv head h / (NH / kvHeads).
    /// Writes `buffers.attention` (T, C).
    func attention(layer: Int, rows: Int) {
        if rows == 1, model.config.headDim % 16 == 0 { return decodeAttention(layer: layer) }
        var first = 0
        while first < rows {
            let count = min(Self.attentionBlock, rows - first)
            attentionBlock(layer: layer, firstRow: first, rows: count)
            first += count
        }
    }

    /// Attention for batch rows `firstRow ..< firstRow + rows` over the keys they can see.
    private func attentionBlock(layer: Int, firstRow: Int, rows: Int) {
        let c = model.config, b = buffers
        let start = length + firstRow, positions = start + rows
        let group = c.heads / c.kvHeads
        let scale = 1 / Float(c.headDim).squareRoot()
        let queries = b.qkv + firstRow * c.qkvWidth, outputs = b.attention + firstRow * c.channels
        for head in 0..<c.heads {
            let kvOffset = (head / group) * c.headDim
            // scores (rows, positions) = q_h (rows, hd) · K_g (positions, hd)ᵀ / √hd
            Blas.gemm(out: b.scores, outStride: positions, a: queries + head * c.headDim, aStride: c.qkvWidth,
                      b: cache.keys(layer: layer) + kvOffset, bStride: c.kvDim, bTransposed: true,
                      rows: rows, columns: positions, inner: c.headDim, scale: scale)
            for t in 0..<rows {
                let row = b.scores + t * positions, visible = start + t + 1
                VectorMath.softmax(row, count: visible)
                (row + visible).update(repeating: 0, count: positions - visible)
            }
            // out_h (rows, hd) = scores (rows, positions) · V_g (positions, hd)
            Blas.gemm(out: outputs + head * c.headDim, outStride: c.channels, a: b.scores, aStride: positions,
                      b: cache.values(layer: layer) + kvOffset, bStride: c.kvDim,
                      rows: rows, columns: c.headDim, inner: positions)
        }
    }

    /// Attention of one new token against the cache, in SIMD loops (a BLAS call per head
    /// costs more than the work at this size). Same result as `attention` with T = 1.
    /// The query heads sharing a kv head are done together, so each key and value row is
    /// read once; kv groups are split over the worker threads.
    func decodeAttention(layer: Int) {
        let c = model.config, b = buffers
        let positions = length + 1
        let shape = DecodeAttentionShape(
            positions: positions, headDim: c.headDim, kvDim: c.kvDim, qkvWidth: c.qkvWidth,
            headsPerGroup: c.heads / c.kvHeads, scale: 1 / Float(c.headDim).squareRoot())
        let query = Disjoint(UnsafePointer(b.qkv)), scores = Disjoint(b.scores), out = Disjoint(b.attention)
        let keys = Disjoint(UnsafePointer(cache.keys(layer: layer))), values = Disjoint(UnsafePointer(cache.values(layer: layer)))
        let threads = positions >= 1024 ? model.threads : 1
        Parallel.forEach(c.kvHeads, threads: threads) { groups in
            for group in groups {
                Self.attendGroup(group, shape, query: query.value, keys: keys.value, values: values.value,
                                 scores: scores.value, out: out.value)
            }
        }
    }

    /// Sizes of one decode attention step.
    struct DecodeAttentionShape {
        let positions: Int, headDim: Int, kvDim: Int, qkvWidth: Int, headsPerGroup: Int
        let scale: Float
    }

    /// The query heads of kv group `group`: scores (heads, positions) written at
    /// `scores + head · positions`, outputs into `out` (C).
    private static func attendGroup(
        _ group: Int, _ shape: DecodeAttentionShape, query: UnsafePointer<Float>, keys: UnsafePointer<Float>,
        values: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let d = shape.headDim, kvOffset = group * d, firstHead = group * shape.headsPerGroup
        for position in 0..<shape.positions {
            let key = keys + position * shape.kvDim + kvOffset
            for head in firstHead..<(firstHead + shape.headsPerGroup) {
                scores[head * shape.positions + position] = dot(query + head * d, key, count: d) * shape.scale
            }
        }
        for head in firstHead..<(firstHead + shape.headsPerGroup) {
            VectorMath.softmax(scores + head * shape.positions, count: shape.positions)
            for chunk in stride(from: 0, to: d, by: 16) {
                weightedSum(out + head * d + chunk, values + kvOffset + chunk, stride: shape.kvDim,
                            weights: scores + head * shape.positions, count: shape.positions)
            }
        }
    }

    /// out[0..<16] = Σₚ weights[p] · rows[p · stride ..< p · stride + 16], accumulated in
    /// registers: eight lanes at a time, even and odd positions apart so that consecutive
    /// adds do not wait on each other.
    @inline(__always)
    private static func weightedSum(_ out: UnsafeMutablePointer<Float>, _ rows: UnsafePointer<Float>, stride: Int,
                                    weights: UnsafePointer<Float>, count: Int) {
        var even = (SIMD8<Float>(), SIMD8<Float>()), odd = (SIMD8<Float>(), SIMD8<Float>())
        @inline(__always) func row(_ position: Int) -> (SIMD8<Float>, SIMD8<Float>) {
            let row = UnsafeRawPointer(rows + position * stride), weight = weights[position]
            return (weight * row.loadUnaligned(as: SIMD8<Float>.self),
                    weight * row.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
        }
        for pair in 0..<(count / 2) {
            let (first, second) = (row(2 * pair), row(2 * pair + 1))
            even.0 += first.0
            even.1 += first.1
            odd.0 += second.0
            odd.1 += second.1
        }
        if count % 2 == 1 {
            let last = row(count - 1)
            even.0 += last.0
            even.1 += last.1
        }
        let target = UnsafeMutableRawPointer(out)
        target.storeBytes(of: even.0 + odd.0, as: SIMD8<Float>.self)
        target.storeBytes(of: even.1 + odd.1, toByteOffset: 32, as: SIMD8<Float>.self)
    }

    /// Σ a[i]·b[i] over `count` (a multiple of 16) floats.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum0 = SIMD8<Float>(), sum1 = SIMD8<Float>()
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        for offset in Swift.stride(from: 0, to: 4 * count, by: 64) {
            sum0 += x.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                * y.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            sum1 += x.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
                * y.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
        }
        return (sum0 + sum1).sum()
    }
}
