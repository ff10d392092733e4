import Engine

/// What one block keeps from its forward pass for the backward pass, for up to T rows.
public struct BlockActivations: @unchecked Sendable {
    /// (T, C) attention RMSNorm output.
    public let attentionNormed: UnsafeMutablePointer<Float>
    /// (T) its 1/rms per row.
    public let attentionInverseRMS: UnsafeMutablePointer<Float>
    /// (T, C) roped queries.
    public let query: UnsafeMutablePointer<Float>
    /// (T, kvDim) roped keys.
    public let key: UnsafeMutablePointer<Float>
    /// (T, kvDim) values.
    public let value: UnsafeMutablePointer<Float>
    /// (NH, T, T) attention probabilities.
    public let probabilities: UnsafeMutablePointer<Float>
    /// (T, C) attention output before the output projection.
    public let attention: UnsafeMutablePointer<Float>
    /// (T, C) residual stream after the attention block.
    public let afterAttention: UnsafeMutablePointer<Float>
    /// (T, C) feed-forward RMSNorm output.
    public let feedForwardNormed: UnsafeMutablePointer<Float>
    /// (T) its 1/rms per row.
    public let feedForwardInverseRMS: UnsafeMutablePointer<Float>
    /// (T, F) gate projection.
    public let gate: UnsafeMutablePointer<Float>
    /// (T, F) up projection.
    public let up: UnsafeMutablePointer<Float>
    /// (T, F) silu(gate) ∘ up.
    public let activated: UnsafeMutablePointer<Float>
}

/// Activations and backward scratch of a model for at most `rows` tokens, all in one
/// arena allocated once; nothing is allocated in `forward` or `backward`.
public final class ActivationBuffers: @unchecked Sendable {
    /// T: the most rows a forward pass may have.
    public let rows: Int
    /// Per-block saved activations.
    public let blocks: [BlockActivations]
    /// L + 1 residual streams, each (T, C): the embedding output, then each block's output.
    public let residuals: [UnsafeMutablePointer<Float>]
    /// (T, C) final RMSNorm output.
    public let finalNormed: UnsafeMutablePointer<Float>
    /// (T) its 1/rms per row.
    public let finalInverseRMS: UnsafeMutablePointer<Float>
    /// (T, V) logits; replaced by their gradient in `backward`.
    public let logits: UnsafeMutablePointer<Float>
    /// (T) per-token losses (0 where masked out).
    public let losses: UnsafeMutablePointer<Float>
    /// (T, hd/2) each: RoPE cosines and sines for positions 0 ..< T.
    public let cosines: UnsafeMutablePointer<Float>, sines: UnsafeMutablePointer<Float>
    /// Backward scratch: (T, C) residual gradient, (T, C) normed gradient, (T, C) attention gradient.
    public let residualGradient: UnsafeMutablePointer<Float>, normedGradient: UnsafeMutablePointer<Float>,
                attentionGradient: UnsafeMutablePointer<Float>
    /// Backward scratch: (T, C), (T, kvDim), (T, kvDim) query, key and value gradients.
    public let queryGradient: UnsafeMutablePointer<Float>, keyGradient: UnsafeMutablePointer<Float>,
                valueGradient: UnsafeMutablePointer<Float>
    /// Backward scratch: (T, F) each, gradients of gate, up and the activation.
    public let gateGradient: UnsafeMutablePointer<Float>, upGradient: UnsafeMutablePointer<Float>,
                activatedGradient: UnsafeMutablePointer<Float>
    private let arena: UnsafeMutablePointer<Float>

    /// Allocates every buffer for `config` and up to `rows` tokens.
    public init(config c: LlamaConfig, rows T: Int) {
        let (C, F, kv) = (c.channels, c.feedForward, c.kvDim)
        let perBlock = 5 * T * C + 2 * T + 2 * T * kv + c.heads * T * T + 3 * T * F
        let total = c.layers * perBlock + (c.layers + 1) * T * C + 2 * T * C + 2 * T + T * c.vocabularySize
            + T * c.headDim + 6 * T * C + 2 * T * kv + 3 * T * F
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: total)
        storage.initialize(repeating: 0, count: total)
        var offset = 0
        func take(_ count: Int) -> UnsafeMutablePointer<Float> { defer { offset += count }; return storage + offset }
        blocks = (0..<c.layers).map { _ in
            BlockActivations(attentionNormed: take(T * C), attentionInverseRMS: take(T), query: take(T * C),
                             key: take(T * kv), value: take(T * kv), probabilities: take(c.heads * T * T),
                             attention: take(T * C), afterAttention: take(T * C), feedForwardNormed: take(T * C),
                             feedForwardInverseRMS: take(T), gate: take(T * F), up: take(T * F),
                             activated: take(T * F))
        }
        residuals = (0...c.layers).map { _ in take(T * C) }
        finalNormed = take(T * C); finalInverseRMS = take(T); logits = take(T * c.vocabularySize); losses = take(T)
        cosines = take(T * c.headDim / 2); sines = take(T * c.headDim / 2)
        residualGradient = take(T * C); normedGradient = take(T * C); attentionGradient = take(T * C)
        queryGradient = take(T * C); keyGradient = take(T * kv); valueGradient = take(T * kv)
        gateGradient = take(T * F); upGradient = take(T * F); activatedGradient = take(T * F)
        precondition(offset <= total, "activation arena too small")
        rows = T
        arena = storage
    }

    deinit { arena.deallocate() }
}
