import ChatAPI
import Foundation

/// Everything a training run is configured with; stored as the run's `config` JSON so a
/// resumed run trains exactly as it started.
///
/// | key | type | default |
/// |---|---|---|
/// | `kind` | `sft` or `dpo` | — |
/// | `lora` | bool | true (LoRA; false: full fine-tuning) |
/// | `rank`, `alpha` | int, float | 16, 32 (facts/engine.md §5.3) |
/// | `epochs` | int | 2 |
/// | `max_steps` | int | none: the epochs decide |
/// | `learning_rate` | float | SFT 2e-4 LoRA / 2e-5 full; DPO 2e-5 LoRA / 1e-6 full (facts/distillation.md §11) |
/// | `warmup_steps` | int | 10 % of the steps, at most 10 |
/// | `max_seq` | int | 512 tokens; longer examples are skipped |
/// | `batch_tokens` | int | 2048 tokens per optimizer step |
/// | `checkpoint_every` | int | 25 steps |
/// | `beta` | float | 0.1 (DPO) |
/// | `from` | string | none: the configured base model; else a student version |
/// | `gguf_type` | `q8_0` or `f32` | `q8_0` |
/// | `seed` | int | 0 (data order, adapter initialisation) |
struct TrainingSettings: Codable, Sendable, Equatable {
    /// `sft` or `dpo`.
    var kind: String
    /// LoRA adapters (true) or full fine-tuning.
    var lora = true
    /// LoRA rank r.
    var rank = 16
    /// LoRA α (scale α / r).
    var alpha: Float = 32
    /// Passes over the data.
    var epochs = 2
    /// A cap on optimizer steps.
    var maxSteps: Int?
    /// The peak learning rate; nil for the kind's default.
    var learningRate: Float?
    /// Warm-up steps; nil for 10 % of the run, at most 10.
    var warmupSteps: Int?
    /// Longest sequence in tokens.
    var maxSeq = 512
    /// Tokens per optimizer step.
    var batchTokens = 2048
    /// Steps between checkpoints.
    var checkpointEvery = 25
    /// DPO β.
    var beta: Float = 0.1
    /// The student version to start from; nil for the base model.
    var from: String?
    /// `q8_0` or `f32` matrices in the exported GGUF.
    var ggufType = "q8_0"
    /// Seeds the data order and the adapters.
    var seed: UInt64 = 0

    /// The defaults for a `kind` run.
    init(kind: String) { self.kind = kind }

    enum CodingKeys: String, CodingKey {
        case kind, lora, rank, alpha, epochs, beta, from, seed
        case maxSteps = "max_steps", learningRate = "learning_rate", warmupSteps = "warmup_steps", maxSeq = "max_seq"
        case batchTokens = "batch_tokens", checkpointEvery = "checkpoint_every", ggufType = "gguf_type"
    }

    /// Decodes stored settings; missing keys take their defaults.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = TrainingSettings(kind: try c.decode(String.self, forKey: .kind))
        s.lora = try c.decodeIfPresent(Bool.self, forKey: .lora) ?? s.lora
        s.rank = try c.decodeIfPresent(Int.self, forKey: .rank) ?? s.rank
        s.alpha = try c.decodeIfPresent(Float.self, forKey: .alpha) ?? s.alpha
        s.epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? s.epochs
        s.maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps)
        s.learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate)
        s.warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps)
        s.maxSeq = try c.decodeIfPresent(Int.self, forKey: .maxSeq) ?? s.maxSeq
        s.batchTokens = try c.decodeIfPresent(Int.self, forKey: .batchTokens) ?? s.batchTokens
        s.checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? s.checkpointEvery
        s.beta = try c.decodeIfPresent(Float.self, forKey: .beta) ?? s.beta
        s.from = try c.decodeIfPresent(String.self, forKey: .from)
        s.ggufType = try c.decodeIfPresent(String.self, forKey: .ggufType) ?? s.ggufType
        s.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? s.seed
        self = s
    }

    /// The peak learning rate: the given one, else the default for the kind and mode.
    var peakLearningRate: Float {
        if let learningRate { return learningRate }
        switch (kind, lora) {
        case ("dpo", true): return 2e-5
        case ("dpo", false): return 1e-6
        case (_, true): return 2e-4
        default: return 2e-5
        }
    }

    /// Throws a message naming the first setting that cannot work.
    func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw TrainingRunError(message) } }
        try check(kind == "sft" || kind == "dpo", "kind must be sft or dpo, got \(kind)")
        try check(rank > 0 && alpha > 0, "--rank and --alpha must be positive")
        try check(epochs > 0 && (maxSteps ?? 1) > 0, "--epochs and --max-steps must be positive")
        try check(maxSeq >= 16 && batchTokens >= maxSeq, "--max-seq must be ≥ 16 and --batch-tokens ≥ --max-seq")
        try check(checkpointEvery > 0 && beta > 0 && peakLearningRate > 0, "checkpoint interval, β and learning rate must be positive")
        try check(ggufType == "q8_0" || ggufType == "f32", "gguf_type must be q8_0 or f32")
    }

    /// The settings as JSON (the run row's `config`).
    var json: JSONValue {
        let data = (try? JSONEncoder().encode(self)) ?? Data("{}".utf8)
        return (try? JSONValue.parse(Array(data))) ?? .object([])
    }

    /// Settings read back from a run row's `config`.
    static func from(json: JSONValue) throws -> TrainingSettings {
        do { return try JSONDecoder().decode(TrainingSettings.self, from: Data(json.serialized())) } catch {
            throw TrainingRunError("the run's stored settings are unreadable: \(error)")
        }
    }
}

/// A training-run failure with a message for the operator (and the run row's `error`).
struct TrainingRunError: Error, CustomStringConvertible {
    /// The message.
    let description: String
    /// An error saying `description`.
    init(_ description: String) { self.description = description }
}
