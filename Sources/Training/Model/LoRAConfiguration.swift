/// A linear layer of a Llama block that can carry a LoRA adapter, named as in Hugging
/// Face (`self_attn.q_proj`, …, `mlp.down_proj`).
public enum LoRATarget: String, CaseIterable, Sendable, Codable {
    /// (C, C) query projection.
    case query = "q_proj"
    /// (kvDim, C) key projection.
    case key = "k_proj"
    /// (kvDim, C) value projection.
    case value = "v_proj"
    /// (C, C) attention output projection.
    case output = "o_proj"
    /// (F, C) SwiGLU gate projection.
    case gate = "gate_proj"
    /// (F, C) SwiGLU up projection.
    case up = "up_proj"
    /// (C, F) down projection.
    case down = "down_proj"

    /// The module path inside a block, `self_attn.q_proj` or `mlp.gate_proj`.
    public var modulePath: String {
        switch self {
        case .query, .key, .value, .output: "self_attn." + rawValue
        case .gate, .up, .down: "mlp." + rawValue
        }
    }
}

/// LoRA hyper-parameters (PEFT `LoraConfig`). Keys: `rank` (Int, default 16), `alpha`
/// (Float, default 32), `targets` (default all seven matrices), `seed` (UInt64, default 0,
/// for the A matrices' initial values). No dropout: the gateway's data sets are small and
/// the rank is the regulariser.
public struct LoRAConfiguration: Sendable, Equatable, Codable {
    /// r, the adapter's inner width (default 16).
    public var rank: Int
    /// α; the adapter's output is scaled by α / r (default 32, so the scale is 2).
    public var alpha: Float
    /// The matrices that get an adapter (default all seven).
    public var targets: [LoRATarget]
    /// Seeds the initial A matrices (B starts at zero).
    public var seed: UInt64

    /// A configuration; the default is r = 16, α = 32 on q, k, v, o, gate, up and down.
    public init(rank: Int = 16, alpha: Float = 32, targets: [LoRATarget] = LoRATarget.allCases, seed: UInt64 = 0) {
        self.rank = rank
        self.alpha = alpha
        self.targets = targets
        self.seed = seed
    }

    /// α / r, the factor on the adapter's output.
    public var scale: Float { LoRALinear.scale(rank: rank, alpha: alpha) }

    /// Throws when the rank, α or target list cannot work.
    public func validate() throws {
        guard rank > 0, alpha > 0, alpha.isFinite, !targets.isEmpty, Set(targets).count == targets.count else {
            throw TrainingError.invalidConfiguration(
                "LoRA needs rank > 0, alpha > 0 and distinct targets (got rank \(rank), alpha \(alpha), \(targets))")
        }
    }
}
