/// One training sequence: input ids and next-token targets, `CrossEntropy.ignored` where
/// the loss is masked out (system, user and prompt tokens).
public struct TrainingSequence: Sendable, Equatable {
    /// (T) input ids.
    public var tokens: [Int32]
    /// (T) target ids or `CrossEntropy.ignored`.
    public var targets: [Int32]
    /// The teacher's distributions at some answer positions (logprob distillation), by
    /// ascending position; empty for plain SFT.
    public var teacher: [SparseTeacherTarget]

    /// A sequence; `tokens` and `targets` must have the same length, and every teacher
    /// target must sit on a masked-in position.
    public init(tokens: [Int32], targets: [Int32], teacher: [SparseTeacherTarget] = []) {
        precondition(tokens.count == targets.count, "tokens and targets differ in length")
        precondition(teacher.allSatisfy { Int($0.position) < targets.count && targets[Int($0.position)] != CrossEntropy.ignored },
                     "a teacher target on a masked-out position")
        self.tokens = tokens
        self.targets = targets
        self.teacher = teacher
    }
}

/// What one optimizer step did.
public struct StepReport: Sendable, Equatable {
    /// The batch loss: Σ token losses / masked-in tokens of the whole batch.
    public var loss: Float
    /// Global gradient norm before clipping.
    public var gradientNorm: Float
    /// The learning rate used.
    public var learningRate: Float
    /// Masked-in (target) tokens in the batch.
    public var targetTokens: Int
}

/// Supervised fine-tuning steps of a `TrainableLlama`: gradient accumulation over the
/// sequences of a batch (each run separately, one normalizer for all), global-norm
/// clipping, then AdamW at the scheduled rate.
public final class Trainer: @unchecked Sendable {
    /// The model being trained.
    public let model: TrainableLlama
    /// Its optimizer.
    public let optimizer: AdamW
    /// The learning-rate schedule.
    public let schedule: LearningRateSchedule
    /// Clip threshold of the global gradient norm (default 1.0, Hugging Face's).
    public let maxGradientNorm: Float
    /// Optimizer steps taken.
    public private(set) var step = 0
    /// A local teacher whose full distribution every answer position is distilled from
    /// (`retort train kd`), or nil.
    public let teacher: TrainableLlama?

    /// A trainer of `model`'s trainable parameters (every weight, or the LoRA adapters),
    /// with weight decay on matrices only (not the RMSNorm weights); with `teacher` (same
    /// vocabulary), each answer position also learns its distribution.
    public init(model: TrainableLlama, schedule: LearningRateSchedule, settings: AdamW.Settings = .init(),
                maxGradientNorm: Float = 1, teacher: TrainableLlama? = nil) throws {
        guard maxGradientNorm > 0 else { throw TrainingError.invalidConfiguration("maxGradientNorm must be > 0") }
        guard teacher.map({ $0.config.vocabularySize == model.config.vocabularySize && $0.activations.rows >= model.activations.rows }) ?? true else {
            throw TrainingError.invalidConfiguration("the teacher must share the student's vocabulary and sequence length")
        }
        self.teacher = teacher
        self.model = model
        self.schedule = schedule
        self.maxGradientNorm = maxGradientNorm
        let trainable = model.trainable
        optimizer = try AdamW(count: trainable.count, settings: settings, decayedRanges: trainable.decayedRanges)
    }

    /// Accumulates the gradient of the whole batch, normalised by its masked-in tokens
    /// (facts/distillation.md §11.1), clips and updates. A batch with no target token
    /// only advances the step.
    public func step(batch: [TrainingSequence]) -> StepReport {
        let targetTokens = batch.reduce(0) { $0 + CrossEntropy.maskedInCount($1.targets) }
        let rate = schedule.rate(at: step)
        defer { step += 1 }
        guard targetTokens > 0 else {
            return StepReport(loss: 0, gradientNorm: 0, learningRate: rate, targetTokens: 0)
        }
        model.zeroGradients()
        var loss: Float = 0
        for sequence in batch {
            loss += forward(sequence, normalizer: Float(targetTokens))
            model.backward()
        }
        let norm = optimizer.clippedStep(model, learningRate: rate, maxNorm: maxGradientNorm)
        return StepReport(loss: loss, gradientNorm: norm, learningRate: rate, targetTokens: targetTokens)
    }
}

extension Trainer {
    /// The mean loss per masked-in token over `sequences` (no gradient, no update): the
    /// figure a run compares between epochs on its validation slice.
    public func validationLoss(_ sequences: [TrainingSequence]) -> Float {
        let targetTokens = sequences.reduce(0) { $0 + CrossEntropy.maskedInCount($1.targets) }
        guard targetTokens > 0 else { return 0 }
        return sequences.reduce(Float(0)) {
            $0 + forward($1, normalizer: Float(targetTokens))
        }
    }
}

extension Trainer {
    /// The model's loss on `sequence`, distilled from the local teacher's distribution when
    /// there is one, else from the sequence's sparse teacher targets, if any.
    func forward(_ sequence: TrainingSequence, normalizer: Float) -> Float {
        let full = teacher?.targetLogProbabilities(tokens: sequence.tokens, targets: sequence.targets)
        return model.forward(tokens: sequence.tokens, targets: sequence.targets, normalizer: normalizer,
                             teacher: full == nil ? sequence.teacher : [], teacherLogProbabilities: full)
    }
}

extension AdamW {
    /// One update of `model`'s trainable parameters from its accumulated gradients, clipped
    /// to `maxNorm` by their global norm; returns that norm (before clipping).
    func clippedStep(_ model: TrainableLlama, learningRate: Float, maxNorm: Float) -> Float {
        let trainable = model.trainable
        let norm = GradientClipping.globalNorm(trainable.gradients, count: trainable.count, threads: model.threads)
        step(parameters: trainable.parameters, gradients: trainable.gradients, learningRate: learningRate,
             gradientScale: GradientClipping.scale(norm: norm, maxNorm: maxNorm), threads: model.threads)
        return norm
    }
}
