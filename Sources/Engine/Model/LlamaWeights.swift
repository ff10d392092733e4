import Dispatch

/// How decode (one token at a time) multiplies by the linear weights.
public enum DecodeWeights: String, Sendable, CaseIterable {
    /// The format that fits the file (the default): `q4_1` for a file whose layers are
    /// stored as Q4_1 (its blocks kept exactly, and the fewest bytes to stream), `q8_0` for
    /// any other. Resolved when the model loads (`resolved(for:)`).
    case auto
    /// Q8_0 copies with the integer dot kernel (about 3.6× less memory traffic than f32).
    case q8_0
    /// The f32 weights through OpenBLAS sgemv.
    case f32
    /// Q4_1 copies (a Q4_1 file's own blocks, exactly; other types quantized at load);
    /// the LM head stays in the embedding's Q8. About 1.8× less traffic than Q8_0 in the layers.
    case q4_1

    /// The concrete format for `file`: `auto` resolved (see there), any other unchanged.
    ///
    /// Why Q4_1 files decode as `q4_1`: with the byte kernels both formats are bound by
    /// memory bandwidth, and Q4_1 streams 0.625 bytes per weight against Q8's 1.125
    /// (measured on a 2-core AVX2 VM: see README, "Engine speed").
    public func resolved(for file: GGUFFile) -> DecodeWeights {
        guard self == .auto else { return self }
        let layerTypes = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]
            .map { file.tensorInfo("blk.0.\($0).weight")?.type }
        return layerTypes.allSatisfy({ $0 == .q4_1 }) ? .q4_1 : .q8_0
    }
}

/// One linear layer `y = W x` with W (outputs, inputs): f32 for batched sgemm, and an
/// optional quantized copy for the decode kernel.
struct Linear: @unchecked Sendable {
    /// (outputs, inputs), inside the weights arena.
    let weight: UnsafeMutablePointer<Float>
    /// Q8 or Q4 copy for decode; nil for `DecodeWeights.f32`.
    let quantized: (any DecodeMatrix)?
    /// Rows of W.
    let outputs: Int
    /// Columns of W.
    let inputs: Int
}

/// The parameters of one transformer block.
struct LlamaLayer: @unchecked Sendable {
    /// (C) RMSNorm weight before attention.
    let attentionNorm: UnsafeMutablePointer<Float>
    /// (C + 2·kvDim, C): q, k and v projections stacked.
    let qkv: Linear
    /// (C, C) attention output projection.
    let output: Linear
    /// (C) RMSNorm weight before the feed-forward block.
    let feedForwardNorm: UnsafeMutablePointer<Float>
    /// (2F, C): gate and up projections stacked.
    let gateUp: Linear
    /// (C, F) down projection.
    let down: Linear
}

/// All parameters of a Llama model, converted once at load and read-only afterwards.
///
/// Layer weights live in one f32 arena carved by a table of offsets (llm.c style).
/// `@unchecked Sendable`: the arena and Q8 copies are written only during `init`.
final class LlamaWeights: @unchecked Sendable {
    /// The model's sizes.
    let config: LlamaConfig
    /// Per-block parameters.
    let layers: [LlamaLayer]
    /// (C) final RMSNorm weight.
    let outputNorm: UnsafeMutablePointer<Float>
    /// (V, C) token embeddings, kept in Q8_0.
    let embedding: Q8Matrix
    /// (V, C) LM head: the embedding itself when tied.
    let lmHead: Q8Matrix
    private let arena: UnsafeMutablePointer<Float>

    /// Floats per layer in the arena: two norms and four fused linears.
    static func layerFloats(_ c: LlamaConfig) -> Int {
        2 * c.channels + c.qkvWidth * c.channels + c.channels * c.channels
            + 2 * c.feedForward * c.channels + c.channels * c.feedForward
    }

    /// Loads and converts every tensor of `file`.
    init(file: GGUFFile, config: LlamaConfig, decode: DecodeWeights) throws {
        self.config = config
        let perLayer = Self.layerFloats(config)
        arena = .allocate(capacity: perLayer * config.layers + config.channels)
        do {
            outputNorm = arena + perLayer * config.layers
            try Self.load(file, "output_norm.weight", rows: 1, columns: config.channels, into: outputNorm)
            embedding = try Self.loadQ8(file, "token_embd.weight", rows: config.vocabularySize, columns: config.channels)
            lmHead = file.tensorInfo("output.weight") == nil ? embedding
                : try Self.loadQ8(file, "output.weight", rows: config.vocabularySize, columns: config.channels)
            layers = try Self.loadLayers(file, config: config, arena: arena, decode: decode)
        } catch {
            arena.deallocate()
            throw error
        }
    }

    deinit { arena.deallocate() }
}
