import Engine
import Foundation

/// A Llama model in f32 with parameter and gradient arenas, for training on one
/// sequence at a time: `forward` returns the masked cross-entropy loss and keeps the
/// activations; `backward` accumulates into `gradients` (call `zeroGradients` between
/// optimizer steps, not between accumulated micro-batches).
public final class TrainableLlama: @unchecked Sendable {
    /// The sizes (C, L, NH, kvHeads, F, V, RoPE base, RMSNorm ε).
    public let config: LlamaConfig
    /// How both arenas are carved.
    public let layout: ParameterLayout
    /// The parameter arena, `layout.count` floats.
    public let parameters: UnsafeMutablePointer<Float>
    /// The gradient arena, same layout.
    public let gradients: UnsafeMutablePointer<Float>
    /// Named views of the parameter arena.
    public let weights: ModelTensors
    /// Named views of the gradient arena.
    public let weightGradients: ModelTensors
    /// Activations for up to `activations.rows` tokens.
    public let activations: ActivationBuffers
    /// Tokens of the last `forward`, for `backward`.
    var lastTokens: [Int32] = []
    /// Targets of the last `forward`.
    var lastTargets: [Int32] = []
    /// Loss normalizer of the last `forward`.
    var lastNormalizer: Float = 1

    /// A zero-initialised model that trains on sequences of at most `maxRows` tokens.
    public init(config: LlamaConfig, maxRows: Int) {
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = .allocate(capacity: layout.count)
        parameters.initialize(repeating: 0, count: layout.count)
        gradients = .allocate(capacity: layout.count)
        gradients.initialize(repeating: 0, count: layout.count)
        weights = layout.tensors(base: parameters, layers: config.layers)
        weightGradients = layout.tensors(base: gradients, layers: config.layers)
        activations = ActivationBuffers(config: config, rows: maxRows)
    }

    deinit {
        parameters.deallocate()
        gradients.deallocate()
    }

    /// Norm weights to 1, matrices uniform in ±`scale` (seeded).
    public func initializeRandomly(seed: UInt64, scale: Float = 0.1) {
        var generator = SeededGenerator(seed: seed)
        for entry in layout.entries {
            let tensor = parameters + entry.offset
            let isNorm = entry.name.hasSuffix("norm.weight")
            for i in 0..<entry.count { tensor[i] = isNorm ? 1 : Float.random(in: -scale...scale, using: &generator) }
        }
    }

    /// Sets every gradient to zero.
    public func zeroGradients() { gradients.update(repeating: 0, count: layout.count) }

    /// Runs the model over `tokens` and returns Σ masked-in token losses / `normalizer`.
    /// - Parameters:
    ///   - tokens: (T) input ids, T ≤ `activations.rows`
    ///   - targets: (T) the next-token ids, `CrossEntropy.ignored` where masked out
    ///   - normalizer: masked-in tokens over the whole accumulated batch (default: this sequence's)
    public func forward(tokens: [Int32], targets: [Int32], normalizer: Float? = nil) -> Float {
        let c = config, a = activations, T = tokens.count
        precondition(T <= a.rows && targets.count == T, "sequence longer than the activation buffers")
        lastTokens = tokens
        lastTargets = targets
        lastNormalizer = normalizer ?? Float(max(1, CrossEntropy.maskedInCount(targets)))
        Embedding.forward(out: a.residuals[0], tokens: tokens, table: weights.embedding, rows: T, channels: c.channels)
        RoPE.tables(cosines: a.cosines, sines: a.sines, rows: T, headDim: c.headDim, base: c.ropeBase)
        for l in 0..<c.layers {
            blockForward(l, rows: T)
        }
        RMSNorm.forward(out: a.finalNormed, inverseRMS: a.finalInverseRMS, x: a.residuals[c.layers],
                        weight: weights.finalNorm, rows: T, channels: c.channels, epsilon: c.rmsEpsilon)
        Linear.forward(out: a.logits, input: a.finalNormed, weight: weights.embedding,
                       rows: T, inputs: c.channels, outputs: c.vocabularySize)
        return CrossEntropy.forward(losses: a.losses, logits: a.logits, targets: targets, rows: T,
                                    vocabulary: c.vocabularySize, normalizer: lastNormalizer)
    }

    /// One block: `h = x + Wo·attn(rope(Wq·n1), rope(Wk·n1), Wv·n1)`, `x' = h + Wd·swiglu(Wg·n2, Wu·n2)`.
    private func blockForward(_ l: Int, rows T: Int) {
        let c = config, w = weights.blocks[l], s = activations.blocks[l]
        let x = activations.residuals[l], next = activations.residuals[l + 1]
        let (C, F, kv) = (c.channels, c.feedForward, c.kvDim)
        let shape = AttentionShape(rows: T, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        RMSNorm.forward(out: s.attentionNormed, inverseRMS: s.attentionInverseRMS, x: x, weight: w.attentionNorm,
                        rows: T, channels: C, epsilon: c.rmsEpsilon)
        Linear.forward(out: s.query, input: s.attentionNormed, weight: w.query, rows: T, inputs: C, outputs: C)
        Linear.forward(out: s.key, input: s.attentionNormed, weight: w.key, rows: T, inputs: C, outputs: kv)
        Linear.forward(out: s.value, input: s.attentionNormed, weight: w.value, rows: T, inputs: C, outputs: kv)
        RoPE.forward(s.query, cosines: activations.cosines, sines: activations.sines,
                     rows: T, heads: c.heads, headDim: c.headDim)
        RoPE.forward(s.key, cosines: activations.cosines, sines: activations.sines,
                     rows: T, heads: c.kvHeads, headDim: c.headDim)
        Attention.forward(out: s.attention, probabilities: s.probabilities, query: s.query, key: s.key,
                          value: s.value, shape: shape)
        Linear.forward(out: s.afterAttention, input: s.attention, weight: w.output, rows: T, inputs: C, outputs: C)
        Residual.forward(out: s.afterAttention, a: s.afterAttention, b: x, count: T * C)
        RMSNorm.forward(out: s.feedForwardNormed, inverseRMS: s.feedForwardInverseRMS, x: s.afterAttention,
                        weight: w.feedForwardNorm, rows: T, channels: C, epsilon: c.rmsEpsilon)
        Linear.forward(out: s.gate, input: s.feedForwardNormed, weight: w.gate, rows: T, inputs: C, outputs: F)
        Linear.forward(out: s.up, input: s.feedForwardNormed, weight: w.up, rows: T, inputs: C, outputs: F)
        SwiGLU.forward(out: s.activated, gate: s.gate, up: s.up, count: T * F)
        Linear.forward(out: next, input: s.activated, weight: w.down, rows: T, inputs: F, outputs: C)
        Residual.forward(out: next, a: next, b: s.afterAttention, count: T * C)
    }
}
