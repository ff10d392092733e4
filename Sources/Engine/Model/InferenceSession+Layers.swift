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
            Blas.matmulTransposed(out: out, input: input, weight: layer.weight, rows: rows,
                                  inner: layer.inputs, outputs: layer.outputs, accumulate: accumulate)
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
            Blas.matmulTransposed(
                out: b.scores, outStride: positions, input: queries + head * c.headDim, inputStride: c.qkvWidth,
                weight: cache.keys(layer: layer) + kvOffset, weightStride: c.kvDim,
                rows: rows, inner: c.headDim, outputs: positions, scale: scale)
            for t in 0..<rows {
                let row = b.scores + t * positions, visible = start + t + 1
                Ops.softmax(row, count: visible)
                (row + visible).update(repeating: 0, count: positions - visible)
            }
            // out_h (rows, hd) = scores (rows, positions) · V_g (positions, hd)
            Blas.matmul(out: outputs + head * c.headDim, outStride: c.channels, a: b.scores, aStride: positions,
                        b: cache.values(layer: layer) + kvOffset, bStride: c.kvDim,
                        m: rows, k: positions, n: c.headDim)
        }
    }

    /// Attention of one new token against the cache, in SIMD loops (a BLAS call per head
    /// costs more than the work at this size). Same result as `attention` with T = 1.
    func decodeAttention(layer: Int) {
        let c = model.config, b = buffers
        let positions = length + 1, group = c.heads / c.kvHeads, chunks = c.headDim / 16
        let scale = 1 / Float(c.headDim).squareRoot()
        let keys = cache.keys(layer: layer), values = cache.values(layer: layer)
        for head in 0..<c.heads {
            let kvOffset = (head / group) * c.headDim
            let query = UnsafeRawPointer(b.qkv + head * c.headDim)
            for position in 0..<positions {
                let key = UnsafeRawPointer(keys + position * c.kvDim + kvOffset)
                var sum = SIMD16<Float>()
                for chunk in 0..<chunks {
                    sum += query.loadUnaligned(fromByteOffset: 64 * chunk, as: SIMD16<Float>.self)
                        * key.loadUnaligned(fromByteOffset: 64 * chunk, as: SIMD16<Float>.self)
                }
                b.scores[position] = sum.sum() * scale
            }
            Ops.softmax(b.scores, count: positions)
            let out = UnsafeMutableRawPointer(b.attention + head * c.headDim)
            for chunk in 0..<chunks {
                var sum = SIMD16<Float>()
                for position in 0..<positions {
                    let value = UnsafeRawPointer(values + position * c.kvDim + kvOffset)
                    sum += b.scores[position] * value.loadUnaligned(fromByteOffset: 64 * chunk, as: SIMD16<Float>.self)
                }
                out.storeBytes(of: sum, toByteOffset: 64 * chunk, as: SIMD16<Float>.self)
            }
        }
    }
}
