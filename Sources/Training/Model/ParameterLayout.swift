import Engine

/// The parameters of one transformer block, carved from an arena (parameters or gradients).
public struct BlockTensors: @unchecked Sendable {
    /// (C) RMSNorm weight before attention.
    public let attentionNorm: UnsafeMutablePointer<Float>
    /// (C, C) query projection.
    public let query: UnsafeMutablePointer<Float>
    /// (kvDim, C) key projection.
    public let key: UnsafeMutablePointer<Float>
    /// (kvDim, C) value projection.
    public let value: UnsafeMutablePointer<Float>
    /// (C, C) attention output projection.
    public let output: UnsafeMutablePointer<Float>
    /// (C) RMSNorm weight before the feed-forward block.
    public let feedForwardNorm: UnsafeMutablePointer<Float>
    /// (F, C) SwiGLU gate projection.
    public let gate: UnsafeMutablePointer<Float>
    /// (F, C) SwiGLU up projection.
    public let up: UnsafeMutablePointer<Float>
    /// (C, F) down projection.
    public let down: UnsafeMutablePointer<Float>
}

/// All tensors of a model, carved from one arena.
public struct ModelTensors: @unchecked Sendable {
    /// (V, C) token embeddings, also the tied LM head.
    public let embedding: UnsafeMutablePointer<Float>
    /// Per-block tensors, L of them.
    public let blocks: [BlockTensors]
    /// (C) final RMSNorm weight.
    public let finalNorm: UnsafeMutablePointer<Float>
}

/// The table that carves one flat arena into named tensors (llm.c style), with Hugging
/// Face names (`model.layers.0.self_attn.q_proj.weight`, …) and (rows, columns) shapes.
/// Parameters and gradients share the layout.
public struct ParameterLayout: Sendable {
    /// One named tensor: its offset into the arena and its shape.
    public struct Entry: Sendable, Equatable {
        /// Hugging Face tensor name.
        public let name: String
        /// Offset in floats from the arena's start.
        public let offset: Int
        /// (rows, columns); a vector is (1, n).
        public let shape: [Int]
        /// Floats in the tensor.
        public var count: Int { shape.reduce(1, *) }
    }

    /// Tensors in arena order.
    public let entries: [Entry]
    /// Floats in the whole arena.
    public let count: Int

    /// The layout for `config` (tied embeddings, no biases).
    public init(config c: LlamaConfig) {
        var entries: [Entry] = [], offset = 0
        func add(_ name: String, _ shape: [Int]) {
            entries.append(Entry(name: name, offset: offset, shape: shape))
            offset += shape.reduce(1, *)
        }
        add("model.embed_tokens.weight", [c.vocabularySize, c.channels])
        for l in 0..<c.layers {
            let prefix = "model.layers.\(l)."
            add(prefix + "input_layernorm.weight", [1, c.channels])
            add(prefix + "self_attn.q_proj.weight", [c.channels, c.channels])
            add(prefix + "self_attn.k_proj.weight", [c.kvDim, c.channels])
            add(prefix + "self_attn.v_proj.weight", [c.kvDim, c.channels])
            add(prefix + "self_attn.o_proj.weight", [c.channels, c.channels])
            add(prefix + "post_attention_layernorm.weight", [1, c.channels])
            add(prefix + "mlp.gate_proj.weight", [c.feedForward, c.channels])
            add(prefix + "mlp.up_proj.weight", [c.feedForward, c.channels])
            add(prefix + "mlp.down_proj.weight", [c.channels, c.feedForward])
        }
        add("model.norm.weight", [1, c.channels])
        self.entries = entries
        count = offset
    }

    /// The tensors of the arena starting at `base` (which holds `count` floats).
    public func tensors(base: UnsafeMutablePointer<Float>, layers: Int) -> ModelTensors {
        var index = 0
        func next() -> UnsafeMutablePointer<Float> { defer { index += 1 }; return base + entries[index].offset }
        let embedding = next()
        var blocks: [BlockTensors] = []
        for _ in 0..<layers {
            blocks.append(BlockTensors(attentionNorm: next(), query: next(), key: next(), value: next(),
                                       output: next(), feedForwardNorm: next(), gate: next(), up: next(),
                                       down: next()))
        }
        return ModelTensors(embedding: embedding, blocks: blocks, finalNorm: next())
    }
}
