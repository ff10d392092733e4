import ChatAPI
import Foundation

/// Everything a training run is configured with; stored as the run's `config` JSON so a
/// resumed run trains exactly as it started.
///
/// | key | type | default |
/// |---|---|---|
/// | `kind` | `sft`, `dpo` or `kd` | required |
/// | `teacher` | string | `kd`: required: the local teacher, a GGUF path or a student version (`s-0003`) |
/// | `layers` | int | `kd`: required: blocks of the compressed student, taken evenly from the teacher's (first and last kept) |
/// | `lora` | bool | true (LoRA; false: full fine-tuning) |
/// | `rank`, `alpha` | int, float | 16, 32 (facts/engine.md §5.3) |
/// | `epochs` | int | SFT: none, chosen by validation loss; DPO: 2 |
/// | `max_epochs` | int | 6: the most an SFT run without `epochs` trains |
/// | `validation_percent` | float | 10: the train split's share an SFT run without `epochs` validates on |
/// | `max_steps` | int | none: the epochs decide |
/// | `learning_rate` | float | SFT 2e-4 LoRA / 2e-5 full; DPO 2e-5 LoRA / 1e-6 full (facts/distillation.md §11) |
/// | `warmup_steps` | int | 10 % of the steps, at most 10 |
/// | `max_seq` | int | 512 tokens; longer examples are skipped |
/// | `batch_tokens` | int | 2048 tokens per optimizer step |
/// | `checkpoint_every` | int | 25 steps |
/// | `beta` | float | 0.1 (DPO) |
/// | `kd_weight` | float 0…1 | 0.5 (SFT): λ_KD at answer positions with the teacher's captured log-probabilities (loss `(1 − λ)·CE + λ·KL`, facts/distillation.md §11.3); 0 trains on the text alone |
/// | `source_weights` | object of float ≥ 0 | every source 1 (DPO): a pair's weight by provenance (`rating`, `pairwise`, `choices`, `demonstration`, `ai_feedback`); 0 leaves that source out |
/// | `from` | string | none: the configured base model; else a student version |
/// | `gguf_type` | `q8_0` or `f32` | `q8_0` |
/// | `seed` | int | 0 (data order, adapter initialisation) |
public struct TrainingSettings: Codable, Sendable, Equatable {
    /// What a run trains.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Supervised fine-tuning on the teacher's answers.
        case sft
        /// Direct preference optimisation on preference pairs.
        case dpo
        /// Distillation from a local teacher's full distribution into a student made of some
        /// of its blocks (compression), with cross-entropy on the logged answers.
        case kd
    }

    /// What the run trains.
    public var kind: Kind
    /// LoRA adapters (true) or full fine-tuning.
    public var lora = true
    /// LoRA rank r.
    public var rank = 16
    /// LoRA α (scale α / r).
    public var alpha: Float = 32
    /// Passes over the data; nil lets an SFT run choose by validation loss (see
    /// ``validatesEpochs``).
    public var epochs: Int?
    /// The most passes an SFT run without `epochs` makes.
    public var maxEpochs = 6
    /// The share (percent) of the train split an SFT run without `epochs` holds back to
    /// validate on after each epoch.
    public var validationPercent = 10.0
    /// A cap on optimizer steps.
    public var maxSteps: Int?
    /// The peak learning rate; nil for the kind's default.
    public var learningRate: Float?
    /// Warm-up steps; nil for 10 % of the run, at most 10.
    public var warmupSteps: Int?
    /// Longest sequence in tokens.
    public var maxSeq = 512
    /// Tokens per optimizer step.
    public var batchTokens = 2048
    /// Steps between checkpoints.
    public var checkpointEvery = 25
    /// DPO β.
    public var beta: Float = 0.1
    /// SFT: the weight of the KL to the teacher's captured log-probabilities (λ_KD; λ_CE = 1 − λ_KD).
    public var kdWeight: Float = 0.5
    /// KD: the local teacher (a GGUF path or a student version).
    public var teacher: String?
    /// KD: the compressed student's blocks.
    public var layers: Int?
    /// DPO: the weight of each pair by its provenance (absent sources weigh 1).
    public var sourceWeights: [String: Float] = [:]
    /// The student version to start from; nil for the base model.
    public var from: String?
    /// `q8_0` or `f32` matrices in the exported GGUF.
    public var ggufType = "q8_0"
    /// Seeds the data order and the adapters.
    public var seed: UInt64 = 0

    /// The defaults for a `kind` run.
    public init(kind: Kind) { self.kind = kind }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, lora, rank, alpha, epochs, beta, from, seed
        case maxEpochs = "max_epochs", validationPercent = "validation_percent"
        case maxSteps = "max_steps", learningRate = "learning_rate", warmupSteps = "warmup_steps", maxSeq = "max_seq"
        case batchTokens = "batch_tokens", checkpointEvery = "checkpoint_every", ggufType = "gguf_type"
        case sourceWeights = "source_weights", kdWeight = "kd_weight", teacher, layers
    }

    /// Decodes stored settings; missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = TrainingSettings(kind: try c.decode(Kind.self, forKey: .kind))
        s.lora = try c.decodeIfPresent(Bool.self, forKey: .lora) ?? s.lora
        s.rank = try c.decodeIfPresent(Int.self, forKey: .rank) ?? s.rank
        s.alpha = try c.decodeIfPresent(Float.self, forKey: .alpha) ?? s.alpha
        s.epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        s.maxEpochs = try c.decodeIfPresent(Int.self, forKey: .maxEpochs) ?? s.maxEpochs
        s.validationPercent = try c.decodeIfPresent(Double.self, forKey: .validationPercent) ?? s.validationPercent
        s.maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps)
        s.learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate)
        s.warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps)
        s.maxSeq = try c.decodeIfPresent(Int.self, forKey: .maxSeq) ?? s.maxSeq
        s.batchTokens = try c.decodeIfPresent(Int.self, forKey: .batchTokens) ?? s.batchTokens
        s.checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? s.checkpointEvery
        s.beta = try c.decodeIfPresent(Float.self, forKey: .beta) ?? s.beta
        s.sourceWeights = try c.decodeIfPresent([String: Float].self, forKey: .sourceWeights) ?? s.sourceWeights
        s.kdWeight = try c.decodeIfPresent(Float.self, forKey: .kdWeight) ?? s.kdWeight
        s.teacher = try c.decodeIfPresent(String.self, forKey: .teacher)
        s.layers = try c.decodeIfPresent(Int.self, forKey: .layers)
        s.from = try c.decodeIfPresent(String.self, forKey: .from)
        s.ggufType = try c.decodeIfPresent(String.self, forKey: .ggufType) ?? s.ggufType
        s.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? s.seed
        self = s
    }

    /// Whether the run chooses its epoch count by validation loss: an SFT run with no
    /// `epochs` trains up to `max_epochs`, keeps the epoch with the lowest loss on a
    /// validation slice of the train split and stops once an epoch does not improve it.
    public var validatesEpochs: Bool { kind != .dpo && epochs == nil }

    /// Whether the run trains LoRA adapters (a KD student trains every weight).
    public var trainsAdapters: Bool { lora && kind != .kd }

    /// The passes the run plans for: `epochs`, else `max_epochs` when validating, else 2 (DPO).
    public var plannedEpochs: Int { epochs ?? (validatesEpochs ? maxEpochs : 2) }

    /// The weight of a preference pair from `source` (1 unless `source_weights` says otherwise).
    public func weight(ofSource source: String) -> Float { sourceWeights[source] ?? 1 }

    /// The peak learning rate: the given one, else the default for the kind and mode.
    public var peakLearningRate: Float {
        if let learningRate { return learningRate }
        switch (kind, lora) {
        case (.dpo, true): return 2e-5
        case (.dpo, false): return 1e-6
        case (.sft, true): return 2e-4
        case (.sft, false): return 2e-5
        case (.kd, _): return 1e-4  // a model missing half its blocks has more to repair than a fine-tune
        }
    }

    /// Throws ``DistillError/invalidTrainingSettings(_:)`` naming the first setting that cannot work.
    public func validate() throws(DistillError) {
        func check(_ ok: Bool, _ key: CodingKeys, _ message: String) throws(DistillError) {
            if !ok { throw .invalidTrainingSettings("`\(key.rawValue)` " + message, key: key.rawValue) }
        }
        try check(rank > 0, .rank, "must be positive")
        try check(alpha > 0, .alpha, "must be positive")
        try check((epochs ?? 1) > 0, .epochs, "must be positive")
        try check(maxEpochs > 0, .maxEpochs, "must be positive")
        try check(validationPercent > 0 && validationPercent < 50, .validationPercent, "must lie between 0 and 50")
        try check((maxSteps ?? 1) > 0, .maxSteps, "must be positive")
        try check((warmupSteps ?? 0) >= 0, .warmupSteps, "must not be negative")
        try check(maxSeq >= 16, .maxSeq, "must be at least 16")
        try check(batchTokens >= maxSeq, .batchTokens, "must be at least max_seq (\(maxSeq))")
        try check(checkpointEvery > 0, .checkpointEvery, "must be positive")
        try check(beta > 0, .beta, "must be positive")
        try check((0...1).contains(kdWeight), .kdWeight, "must lie between 0 and 1")
        try check(kind != .kd || !(teacher ?? "").isEmpty, .teacher, "is required for kd: a GGUF path or a student version")
        try check(kind != .kd || (layers ?? 0) >= 1, .layers, "is required for kd and must be at least 1")
        try check(sourceWeights.values.allSatisfy { $0 >= 0 && $0.isFinite }, .sourceWeights, "must map sources to weights ≥ 0")
        try check(peakLearningRate > 0, .learningRate, "must be positive")
        try check(ggufType == "q8_0" || ggufType == "f32", .ggufType, "must be q8_0 or f32")
    }

    /// The settings as JSON (the run row's `config`).
    public var json: JSONValue {
        let data = (try? JSONEncoder().encode(self)) ?? Data("{}".utf8)
        return (try? JSONValue.parse(Array(data))) ?? .object([])
    }

    /// Settings from a JSON object (a run row's `config`, or `POST /admin/train`'s body):
    /// unknown keys, wrong types and unworkable values are refused.
    /// - Throws: ``DistillError/invalidTrainingSettings(_:)`` naming the key.
    public static func from(json: JSONValue) throws(DistillError) -> TrainingSettings {
        guard let members = json.objectValue else { throw .invalidTrainingSettings("the settings must be a JSON object") }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = members.map(\.key).first(where: { !known.contains($0) }) {
            throw .invalidTrainingSettings("unknown training setting `\(unknown)`", key: unknown)
        }
        let settings: TrainingSettings
        do {
            settings = try JSONDecoder().decode(TrainingSettings.self, from: Data(json.serialized()))
        } catch let error as DecodingError {
            throw .invalidTrainingSettings(Self.describe(error), key: Self.key(of: error))
        } catch {
            throw .invalidTrainingSettings("unreadable training settings: \(error)")
        }
        try settings.validate()
        return settings
    }

    /// The key a decoding error is about.
    private static func key(of error: DecodingError) -> String? {
        switch error {
        case .typeMismatch(_, let context), .dataCorrupted(let context), .valueNotFound(_, let context):
            return context.codingPath.last?.stringValue
        case .keyNotFound(let key, _):
            return key.stringValue
        @unknown default:
            return nil
        }
    }

    /// `key: what is wrong` for a decoding error.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "`\(context.codingPath.map(\.stringValue).joined(separator: "."))` must be a \(type == String.self ? "string" : type == Bool.self ? "boolean" : "number")"
        case .keyNotFound(let key, _):
            return "`\(key.stringValue)` is required"
        case .dataCorrupted(let context), .valueNotFound(_, let context):
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            return key == "kind" ? "`kind` must be \"sft\", \"dpo\" or \"kd\"" : "`\(key)`: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
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
