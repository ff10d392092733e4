import Engine

/// What one block keeps from its forward pass for the backward pass, for up to T rows.
public struct BlockActivations: @unchecked Sendable {
    /// (T) 1/rms per row of the attention RMSNorm (its output is recomputed in backward).
    public let attentionInverseRMS: UnsafeMutablePointer<Float>
    /// (T, C) roped queries.
    public let query: UnsafeMutablePointer<Float>
    /// (T, kvDim) roped keys.
    public let key: UnsafeMutablePointer<Float>
    /// (T, kvDim) values.
    public let value: UnsafeMutablePointer<Float>
    /// Attention probabilities, packed per head and block of rows (`AttentionShape.packedProbabilityCount`).
    public let probabilities: UnsafeMutablePointer<Float>
    /// (T, C) attention output before the output projection.
    public let attention: UnsafeMutablePointer<Float>
    /// (T, C) residual stream after the attention block.
    public let afterAttention: UnsafeMutablePointer<Float>
    /// (T) 1/rms per row of the feed-forward RMSNorm.
    public let feedForwardInverseRMS: UnsafeMutablePointer<Float>
    /// (T, F) gate projection.
    public let gate: UnsafeMutablePointer<Float>
    /// (T, F) up projection.
    public let up: UnsafeMutablePointer<Float>
    /// LoRA hidden activations `x·Aᵀ`: group g's (T, members · r) starts at
    /// `adapterHidden + rows · r · g.hiddenOffset` (empty without adapters).
    public let adapterHidden: UnsafeMutablePointer<Float>
}

/// The saved activations of one sequence of at most `rows` tokens, in one arena
/// allocated once; nothing is allocated in `forward` or `backward`. A model has one;
/// DPO keeps a second (`TrainableLlama.makeActivations`) so the chosen and the rejected
/// answer can both be back-propagated after both forward passes.
///
/// Logits are computed only at positions with a target (facts/engine.md §5.1): the
/// `logits` buffer holds `targetCount` rows, and its pages beyond those are never touched.
public final class ActivationBuffers: @unchecked Sendable {
    /// T: the most rows a forward pass may have.
    public let rows: Int
    /// Per-block saved activations.
    public let blocks: [BlockActivations]
    /// (T, C) the current block's RMSNorm output. Not kept per block: backward recomputes
    /// it from the block's input and 1/rms, which saves 2·L·T·C floats.
    public let normed: UnsafeMutablePointer<Float>
    /// (T, F) the current block's silu(gate) ∘ up, likewise recomputed in backward.
    public let activated: UnsafeMutablePointer<Float>
    /// L + 1 residual streams, each (T, C): the embedding output, then each block's output.
    public let residuals: [UnsafeMutablePointer<Float>]
    /// (T, C) final RMSNorm output.
    public let finalNormed: UnsafeMutablePointer<Float>
    /// (T) its 1/rms per row.
    public let finalInverseRMS: UnsafeMutablePointer<Float>
    /// (targetCount, C) the final RMSNorm output at the target positions: the LM head's input.
    public let headInput: UnsafeMutablePointer<Float>
    /// (targetCount, V) logits at the target positions, in position order; replaced by
    /// their gradient in `backward`.
    public let logits: UnsafeMutablePointer<Float>
    /// (targetCount) log Σ exp(logits) per row.
    public let logSumExp: UnsafeMutablePointer<Float>
    /// (targetCount) token losses −log p(target).
    public let losses: UnsafeMutablePointer<Float>
    /// (targetCount) the positions that have a target, ascending.
    public let targetPositions: UnsafeMutablePointer<Int32>
    /// (targetCount) their target ids.
    public let targetIds: UnsafeMutablePointer<Int32>
    /// (T, hd/2) each: RoPE cosines and sines for positions 0 ..< T.
    public let cosines: UnsafeMutablePointer<Float>, sines: UnsafeMutablePointer<Float>
    /// Rows with a target in the last forward pass.
    public internal(set) var targetCount = 0
    /// Tokens of the last forward pass.
    public internal(set) var tokens: [Int32] = []
    /// Loss normalizer of the last forward pass.
    public internal(set) var normalizer: Float = 1
    /// The distilled rows of the last forward pass: compact row, the teacher's target, and
    /// what the backward pass needs of it.
    var distilled: [(row: Int, teacher: SparseTeacherTarget, values: SparseDistillation.Row)] = []
    /// (targetCount, V) a local teacher's log-probabilities at the target rows of the last
    /// forward pass (full-vocabulary distillation), or nil.
    var fullTeacher: UnsafePointer<Float>?
    private let arena: UnsafeMutablePointer<Float>
    private let logitsArena: UnsafeMutablePointer<Float>
    private let indices: UnsafeMutablePointer<Int32>

    /// Allocates every buffer for `config`, up to `rows` tokens and `adapterWidth` LoRA
    /// hidden columns per block.
    public init(config c: LlamaConfig, rows T: Int, adapterWidth: Int = 0) {
        let (C, F, kv) = (c.channels, c.feedForward, c.kvDim)
        let probabilities = c.heads * Attention.packedCount(rows: T)
        let perBlock = 3 * T * C + 2 * T + 2 * T * kv + probabilities + 2 * T * F + T * adapterWidth
        let total = c.layers * perBlock + (c.layers + 1) * T * C + 3 * T * C + T * F + 3 * T + T * c.headDim
        arena = .allocate(capacity: total)
        arena.initialize(repeating: 0, count: total)
        // Written before read, row by row: pages of rows never used are never touched.
        logitsArena = .allocate(capacity: T * c.vocabularySize)
        indices = .allocate(capacity: 2 * T)
        indices.initialize(repeating: 0, count: 2 * T)
        var offset = 0
        let base = arena
        func take(_ count: Int) -> UnsafeMutablePointer<Float> { defer { offset += count }; return base + offset }
        blocks = (0..<c.layers).map { _ in
            BlockActivations(attentionInverseRMS: take(T), query: take(T * C), key: take(T * kv), value: take(T * kv),
                             probabilities: take(probabilities), attention: take(T * C), afterAttention: take(T * C),
                             feedForwardInverseRMS: take(T), gate: take(T * F), up: take(T * F),
                             adapterHidden: take(T * adapterWidth))
        }
        normed = take(T * C); activated = take(T * F)
        residuals = (0...c.layers).map { _ in take(T * C) }
        finalNormed = take(T * C); finalInverseRMS = take(T); headInput = take(T * C)
        logSumExp = take(T); losses = take(T)
        cosines = take(T * c.headDim / 2); sines = take(T * c.headDim / 2)
        precondition(offset == total, "activation arena miscounted")
        logits = logitsArena
        targetPositions = indices
        targetIds = indices + T
        rows = T
    }

    deinit {
        arena.deallocate()
        logitsArena.deallocate()
        indices.deallocate()
    }
}

/// Backward-pass scratch for sequences of up to `rows` tokens, shared by every
/// `ActivationBuffers` of a model (one backward runs at a time).
final class BackwardScratch: @unchecked Sendable {
    /// (T, C) residual-stream gradient, (T, C) normed gradient, (T, C) attention gradient.
    let residualGradient: UnsafeMutablePointer<Float>, normedGradient: UnsafeMutablePointer<Float>,
        attentionGradient: UnsafeMutablePointer<Float>
    /// (T, C), (T, kvDim), (T, kvDim) query, key and value gradients.
    let queryGradient: UnsafeMutablePointer<Float>, keyGradient: UnsafeMutablePointer<Float>,
        valueGradient: UnsafeMutablePointer<Float>
    /// (T, F) each: gradients of gate, up and the activation.
    let gateGradient: UnsafeMutablePointer<Float>, upGradient: UnsafeMutablePointer<Float>,
        activatedGradient: UnsafeMutablePointer<Float>
    /// `Attention.backward`'s scratch (score gradients, per-worker key and value gradients).
    let attentionScratch: UnsafeMutablePointer<Float>
    /// (T, adapterWidth) LoRA hidden gradients of one group.
    let adapterHiddenGradient: UnsafeMutablePointer<Float>
    private let arena: UnsafeMutablePointer<Float>

    init(config c: LlamaConfig, rows T: Int, adapterWidth: Int) {
        let (C, F, kv) = (c.channels, c.feedForward, c.kvDim)
        let attention = Attention.scratchCount(shape: AttentionShape(rows: T, heads: c.heads, kvHeads: c.kvHeads,
                                                                  headDim: c.headDim))
        let total = 4 * T * C + 2 * T * kv + 3 * T * F + attention + T * adapterWidth
        arena = .allocate(capacity: total)
        arena.initialize(repeating: 0, count: total)
        var offset = 0
        let base = arena
        func take(_ count: Int) -> UnsafeMutablePointer<Float> { defer { offset += count }; return base + offset }
        residualGradient = take(T * C); normedGradient = take(T * C); attentionGradient = take(T * C)
        queryGradient = take(T * C); keyGradient = take(T * kv); valueGradient = take(T * kv)
        gateGradient = take(T * F); upGradient = take(T * F); activatedGradient = take(T * F)
        attentionScratch = take(attention); adapterHiddenGradient = take(T * adapterWidth)
    }

    deinit { arena.deallocate() }
}
