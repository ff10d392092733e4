import ChatAPI
import Training

/// What one optimizer step reports to the run loop.
struct StepFigures {
    /// The step's objective.
    var loss: Float
    /// Tokens run through the model.
    var tokens: Int
    /// Every figure stored as the step's metric point.
    var values: [(key: String, value: JSONValue)]
}

/// SFT or DPO behind one interface, so the run loop, checkpoints and progress are shared.
protocol RunObjective: AnyObject {
    /// Optimizer steps taken.
    var step: Int { get }
    /// The optimizer whose moments the checkpoints save.
    var optimizer: AdamW { get }
    /// One optimizer step on the examples at `indices` of the frozen dataset.
    func train(_ indices: [Int]) -> StepFigures
    /// Advances the step counter to `step` (the checkpoint is restored afterwards).
    func fastForward(to step: Int)
}

/// Supervised fine-tuning on the dataset's sequences.
final class SFTObjective: RunObjective {
    /// The SFT trainer.
    let trainer: Trainer
    /// The dataset's sequences, by index.
    let sequences: [TrainingSequence]

    /// SFT of `trainer`'s model on `dataset`.
    init(trainer: Trainer, dataset: FrozenDataset) {
        self.trainer = trainer
        sequences = dataset.sequences.map(\.training)
    }

    /// Optimizer steps taken.
    var step: Int { trainer.step }
    /// The trainer's optimizer.
    var optimizer: AdamW { trainer.optimizer }

    /// One SFT step on the sequences at `indices`.
    func train(_ indices: [Int]) -> StepFigures {
        let batch = indices.map { sequences[$0] }
        let report = trainer.step(batch: batch)
        return StepFigures(loss: report.loss, tokens: batch.reduce(0) { $0 + $1.tokens.count }, values: [
            ("loss", .double(Double(report.loss))), ("learning_rate", .double(Double(report.learningRate))),
            ("gradient_norm", .double(Double(report.gradientNorm))), ("target_tokens", .int(report.targetTokens)),
        ])
    }

    /// Advances the schedule to `step`.
    func fastForward(to step: Int) { trainer.fastForward(to: step) }
}

/// DPO on the dataset's pairs with the reference log-probs cached in the dataset.
final class DPOObjective: RunObjective {
    /// The DPO trainer.
    let trainer: DPOTrainer
    /// The dataset's pairs, by index.
    let pairs: [PreferencePair]
    /// Their cached reference log-probs.
    let references: [ReferenceLogProbs]

    /// - Precondition: every pair of `dataset` has its reference computed.
    init(trainer: DPOTrainer, dataset: FrozenDataset) {
        self.trainer = trainer
        pairs = dataset.pairs.map(\.preference)
        references = dataset.pairs.map { $0.reference ?? ReferenceLogProbs(chosen: 0, rejected: 0) }
    }

    /// Optimizer steps taken.
    var step: Int { trainer.step }
    /// The trainer's optimizer.
    var optimizer: AdamW { trainer.optimizer }

    /// One DPO step on the pairs at `indices`.
    func train(_ indices: [Int]) -> StepFigures {
        let report = trainer.step(batch: indices.map { pairs[$0] }, references: indices.map { references[$0] })
        let m = report.metrics
        return StepFigures(loss: m.loss, tokens: m.tokens, values: [
            ("loss", .double(Double(m.loss))), ("learning_rate", .double(Double(report.learningRate))),
            ("gradient_norm", .double(Double(report.gradientNorm))), ("reward_accuracy", .double(Double(m.rewardAccuracy))),
            ("margin", .double(Double(m.meanMargin))), ("chosen_logp", .double(Double(m.chosenLogProb))),
            ("rejected_logp", .double(Double(m.rejectedLogProb))), ("pairs", .int(m.pairs)),
        ])
    }

    /// Advances the schedule to `step`.
    func fastForward(to step: Int) { trainer.fastForward(to: step) }
}
