/// One sequence being processed: its KV cache and activation arena (llama2.c's
/// `RunState`). Not thread-safe; each generation uses its own session.
public final class InferenceSession {
    /// Longest batch one forward step processes by default; longer prompts are
    /// prefilled in chunks, which bounds the (T, positions) score buffer.
    public static let defaultBatchLimit = 512

    /// Longest batch of this session's forward steps.
    public let batchLimit: Int

    /// The shared, read-only model.
    public let model: LlamaModel
    /// Positions already in the KV cache.
    public private(set) var length = 0
    let cache: KVCache
    var buffers: SessionBuffers

    init(model: LlamaModel, capacity: Int, batchLimit: Int) {
        self.model = model
        self.batchLimit = max(1, batchLimit)
        let c = model.config
        let positions = max(1, min(capacity, c.contextLength))
        cache = KVCache(layers: c.layers, kvDim: c.kvDim, capacity: positions)
        buffers = SessionBuffers(config: c, batch: 1, positions: positions)
    }

    /// Forgets the cached sequence (the buffers are kept).
    public func reset() { length = 0 }

    /// Runs `tokens` through the model after the cached positions and returns a copy of
    /// the logits of the last one (V).
    /// - Throws: `EngineError.promptTooLong` past the context, `.invalidParameter` for an
    ///   id outside the vocabulary.
    @discardableResult
    public func forward(_ tokens: [Int32]) throws -> [Float] {
        Array(try forwardInPlace(tokens))
    }

    /// Like `forward`, but returns the session's own logits buffer (V) without copying.
    /// - Warning: the buffer is valid only while this session is alive and until its next
    ///   forward call.
    public func forwardInPlace(_ tokens: [Int32]) throws -> UnsafeBufferPointer<Float> {
        let c = model.config
        guard !tokens.isEmpty else { throw EngineError.invalidParameter(parameter: "tokens", reason: "empty") }
        guard length + tokens.count <= c.contextLength else {
            throw EngineError.promptTooLong(promptTokens: length + tokens.count, contextLength: c.contextLength)
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= c.vocabularySize }) {
            throw EngineError.invalidParameter(parameter: "tokens", reason: "token id \(bad) outside the vocabulary")
        }
        var start = 0
        while start < tokens.count {
            let end = min(tokens.count, start + batchLimit)
            step(tokens[start..<end], computeLogits: end == tokens.count)
            start = end
        }
        return UnsafeBufferPointer(start: buffers.logits, count: c.vocabularySize)
    }

    /// The last position's hidden state after the final norm (C): the vector the LM head
    /// reads, as of the last forward call. A summary of the whole prompt after prefill; the
    /// router's ex-ante features.
    /// - Warning: valid only right after a forward call (the next one overwrites it).
    public func finalHiddenState() -> [Float] {
        Array(UnsafeBufferPointer(start: buffers.normalized, count: model.config.channels))
    }

    /// Grows the arena and cache so `rows` more tokens fit after `length`.
    private func reserve(rows: Int) {
        let needed = length + rows
        cache.reserve(needed, filled: length)
        if rows > buffers.batch || needed > buffers.positions {
            let batch = max(rows, buffers.batch)
            let positions = max(needed, min(2 * buffers.positions, model.config.contextLength), cache.capacity)
            buffers = SessionBuffers(config: model.config, batch: batch, positions: positions)
        }
    }

    /// One batched forward step over `tokens` (T ≤ batchLimit) at positions
    /// `length ..< length + T`; the orchestration reads like the architecture (facts §2.4).
    private func step(_ tokens: ArraySlice<Int32>, computeLogits: Bool) {
        let c = model.config, weights = model.weights, rows = tokens.count
        reserve(rows: rows)
        let b = buffers
        for (t, token) in tokens.enumerated() {
            weights.embedding.dequantizeRow(Int(token), into: b.residual + t * c.channels)
        }
        Ops.ropeTables(cosines: b.cosines, sines: b.sines, rows: rows, headDim: c.headDim,
                       startPosition: length, base: c.ropeBase)
        for (index, layer) in weights.layers.enumerated() {
            Ops.rmsNorm(out: b.normalized, x: b.residual, weight: layer.attentionNorm,
                        rows: rows, channels: c.channels, epsilon: c.rmsEpsilon)
            linear(out: b.qkv, input: b.normalized, rows: rows, layer.qkv)
            Ops.rope(b.qkv, stride: c.qkvWidth, rows: rows, heads: c.heads, headDim: c.headDim,
                     cosines: b.cosines, sines: b.sines)
            Ops.rope(b.qkv + c.channels, stride: c.qkvWidth, rows: rows, heads: c.kvHeads, headDim: c.headDim,
                     cosines: b.cosines, sines: b.sines)
            appendToCache(layer: index, rows: rows)
            attention(layer: index, rows: rows)
            linear(out: b.residual, input: b.attention, rows: rows, layer.output, accumulate: true)
            Ops.rmsNorm(out: b.normalized, x: b.residual, weight: layer.feedForwardNorm,
                        rows: rows, channels: c.channels, epsilon: c.rmsEpsilon)
            linear(out: b.gateUp, input: b.normalized, rows: rows, layer.gateUp)
            Ops.swiGLU(out: b.hidden, gateUp: b.gateUp, rows: rows, features: c.feedForward)
            linear(out: b.residual, input: b.hidden, rows: rows, layer.down, accumulate: true)
        }
        length += rows
        guard computeLogits else { return }
        // Only the last position needs logits.
        let last = b.residual + (rows - 1) * c.channels
        Ops.rmsNorm(out: b.normalized, x: last, weight: weights.outputNorm, rows: 1,
                    channels: c.channels, epsilon: c.rmsEpsilon)
        // Q8 decode quantizes the activation for the integer kernel; f32 decode stays exact.
        if rows == 1, model.decodeWeights != .f32 {
            b.quantized.quantize(b.normalized, count: c.channels)
            weights.lmHead.matvec(out: b.logits, x: b.quantized, threads: model.threads)
        } else {
            // Prefill (once per prompt) keeps f32 activations: exact for the stored weights.
            weights.lmHead.matvec(out: b.logits, x: b.normalized, threads: model.threads)
        }
    }
}
