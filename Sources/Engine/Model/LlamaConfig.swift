/// Hyperparameters of a Llama-architecture model, read from GGUF `llama.*` metadata.
///
/// Dimension letters used in shape comments across the engine: T tokens in a batch,
/// C = `channels`, V = `vocabularySize`, L = `layers`, NH = `heads`, F = `feedForward`.
public struct LlamaConfig: Sendable, Equatable {
    /// C: the residual width (`embedding_length`; 576 for SmolLM2-135M).
    public var channels: Int
    /// L: transformer blocks (`block_count`; 30).
    public var layers: Int
    /// NH: query heads (`attention.head_count`; 9).
    public var heads: Int
    /// Key/value heads for grouped-query attention (`attention.head_count_kv`; 3).
    public var kvHeads: Int
    /// F: SwiGLU hidden width (`feed_forward_length`; 1536).
    public var feedForward: Int
    /// V: vocabulary size (rows of `token_embd`).
    public var vocabularySize: Int
    /// Longest sequence the model was trained for (`context_length`; 8192).
    public var contextLength: Int
    /// RoPE base θ (`rope.freq_base`; 100000, default 10000).
    public var ropeBase: Float
    /// RMSNorm ε (`attention.layer_norm_rms_epsilon`; 1e-5).
    public var rmsEpsilon: Float

    /// Width of one attention head (C / NH; 64).
    public var headDim: Int { channels / heads }
    /// Width of the key (or value) projection (kvHeads · headDim; 192).
    public var kvDim: Int { kvHeads * headDim }
    /// Width of the fused q|k|v projection (C + 2 · kvDim).
    public var qkvWidth: Int { channels + 2 * kvDim }

    /// A configuration given explicitly (tests, the tiny model).
    public init(channels: Int, layers: Int, heads: Int, kvHeads: Int, feedForward: Int, vocabularySize: Int,
                contextLength: Int, ropeBase: Float = 10000, rmsEpsilon: Float = 1e-5) {
        self.channels = channels
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.feedForward = feedForward
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.ropeBase = ropeBase
        self.rmsEpsilon = rmsEpsilon
    }

    /// Reads the configuration of `file`, which must be a `llama` model.
    public init(file: GGUFFile) throws {
        let architecture = file.metadata["general.architecture"]?.stringValue ?? "(none)"
        guard architecture == "llama" else { throw EngineError.unsupportedArchitecture(architecture) }
        func integer(_ key: String) throws -> Int {
            guard let value = file.metadata["llama." + key]?.intValue, value > 0 else {
                throw EngineError.missingMetadata(key: "llama." + key)
            }
            return value
        }
        channels = try integer("embedding_length")
        layers = try integer("block_count")
        heads = try integer("attention.head_count")
        kvHeads = file.metadata["llama.attention.head_count_kv"]?.intValue ?? heads
        feedForward = try integer("feed_forward_length")
        contextLength = try integer("context_length")
        ropeBase = Float(file.metadata["llama.rope.freq_base"]?.doubleValue ?? 10000)
        rmsEpsilon = Float(file.metadata["llama.attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-5)
        guard let embedding = file.tensorInfo("token_embd.weight"), embedding.shape.count == 2 else {
            throw EngineError.invalidTensor(name: "token_embd.weight", reason: "missing or not 2-D")
        }
        vocabularySize = embedding.shape[1]
        try validate()
        try validateShapes(file)
    }

    /// Checks the first and last blocks' tensors against these sizes, so a corrupt size
    /// in the metadata is reported before any buffer is allocated from it.
    func validateShapes(_ file: GGUFFile) throws {
        guard file.tensorInfo("token_embd.weight")?.shape == [channels, vocabularySize] else {
            throw EngineError.invalidTensor(name: "token_embd.weight", reason: "expected shape [\(channels), V]")
        }
        for layer in Set([0, layers - 1]) {
            let expected = [("attn_q", [channels, channels]), ("attn_k", [channels, kvDim]),
                            ("ffn_gate", [channels, feedForward]), ("ffn_down", [feedForward, channels])]
            for (name, shape) in expected {
                let tensor = "blk.\(layer).\(name).weight"
                guard let info = file.tensorInfo(tensor) else {
                    throw EngineError.invalidTensor(name: tensor, reason: "missing from the file")
                }
                guard info.shape == shape else {
                    throw EngineError.invalidTensor(name: tensor, reason: "shape \(info.shape), expected \(shape)")
                }
            }
        }
    }

    /// Checks the dimensions are consistent with each other and with the kernels.
    func validate() throws {
        guard heads > 0, kvHeads > 0, channels % heads == 0, heads % kvHeads == 0, headDim % 2 == 0 else {
            throw EngineError.invalidGGUF("inconsistent attention sizes: C=\(channels), heads=\(heads), kv heads=\(kvHeads)")
        }
        guard channels % 32 == 0, feedForward % 32 == 0 else {
            throw EngineError.invalidGGUF("C=\(channels) and F=\(feedForward) must be multiples of 32")
        }
    }
}
