/// Direct preference optimization of a `TrainableLlama`, parallel to the SFT `Trainer`:
/// per pair, forward the chosen and the rejected sequence into two activation slots,
/// evaluate the DPO loss on their summed log-probs, then back-propagate each with the
/// cross-entropy backward scaled by dL/d(log-prob) (facts/engine.md §5.4); clip; AdamW.
///
/// The reference is the model before training: with LoRA, the same model with its
/// adapters switched off (merge an SFT adapter first so the reference is the SFT model);
/// for full fine-tuning, the weights before the first step, so compute every pair's
/// `referenceLogProbs` before stepping.
public final class DPOTrainer: @unchecked Sendable {
    /// The model being trained.
    public let model: TrainableLlama
    /// Its optimizer (over the adapters under LoRA, else every weight).
    public let optimizer: AdamW
    /// The learning-rate schedule.
    public let schedule: LearningRateSchedule
    /// β and the SFT weight.
    public let settings: DPOSettings
    /// Clip threshold of the global gradient norm.
    public let maxGradientNorm: Float
    /// Optimizer steps taken.
    public private(set) var step = 0
    private let rejectedSlot: ActivationBuffers

    /// A trainer; allocates a second activation slot as large as the model's.
    public init(model: TrainableLlama, schedule: LearningRateSchedule, settings: DPOSettings = .init(),
                optimizerSettings: AdamW.Settings = .init(), maxGradientNorm: Float = 1) throws {
        try settings.validate()
        guard maxGradientNorm > 0 else { throw TrainingError.invalidConfiguration("maxGradientNorm must be > 0") }
        self.model = model
        self.schedule = schedule
        self.settings = settings
        self.maxGradientNorm = maxGradientNorm
        let trainable = model.trainable
        optimizer = try AdamW(count: trainable.count, settings: optimizerSettings,
                              decayedRanges: trainable.decayedRanges)
        rejectedSlot = model.makeActivations(rows: model.activations.rows)
    }

    /// The reference log-probs of `pair`: a forward-only pass of both sequences with
    /// the adapters off (LoRA), or with the current weights before the first step (full).
    /// - Throws: `invalidConfiguration` for a full fine-tune that has already stepped.
    public func referenceLogProbs(for pair: PreferencePair) throws -> ReferenceLogProbs {
        guard model.adapters != nil || step == 0 else {
            throw TrainingError.invalidConfiguration(
                "a full fine-tune's reference log-probs must be computed before its first step")
        }
        let enabled = model.adaptersEnabled
        model.adaptersEnabled = false
        defer { model.adaptersEnabled = enabled }
        return ReferenceLogProbs(chosen: logProb(pair.chosen), rejected: logProb(pair.rejected))
    }

    /// One optimizer step on `batch` with the cached `references` (one per pair). An empty
    /// batch only advances the step (and so the schedule), like `Trainer.step`.
    public func step(batch: [PreferencePair], references: [ReferenceLogProbs]) -> DPOStepReport {
        let rate = schedule.rate(at: step)
        defer { step += 1 }
        guard !batch.isEmpty else { return DPOStepReport(metrics: DPOMetrics(), gradientNorm: 0, learningRate: rate) }
        model.zeroGradients()
        let metrics = accumulateGradients(batch: batch, references: references)
        let norm = optimizer.clippedStep(model, learningRate: rate, maxNorm: maxGradientNorm)
        return DPOStepReport(metrics: metrics, gradientNorm: norm, learningRate: rate)
    }

    /// The metrics of `batch` without any update (forward passes only).
    public func evaluate(batch: [PreferencePair], references: [ReferenceLogProbs]) -> DPOMetrics {
        run(batch: batch, references: references, backward: false)
    }

    /// Adds the gradient of the batch objective to the trainable gradients.
    func accumulateGradients(batch: [PreferencePair], references: [ReferenceLogProbs]) -> DPOMetrics {
        run(batch: batch, references: references, backward: true)
    }

    private func run(batch: [PreferencePair], references: [ReferenceLogProbs], backward: Bool) -> DPOMetrics {
        precondition(batch.count == references.count, "one reference per pair")
        let loss = DPOLoss(beta: settings.beta)
        let chosenTokens = batch.reduce(0) { $0 + CrossEntropy.maskedInCount($1.chosen.targets) }
        let pairs = Float(max(batch.count, 1))
        var metrics = DPOMetrics()
        for (pair, reference) in zip(batch, references) {
            let chosen = logProb(pair.chosen)
            let rejected = logProb(pair.rejected, slot: rejectedSlot)
            let outcome = loss.evaluate(chosen: chosen, rejected: rejected, reference: reference)
            metrics.add(outcome, chosen: chosen, rejected: rejected)
            metrics.tokens += pair.chosen.tokens.count + pair.rejected.tokens.count
            guard backward else { continue }
            // d(objective)/d(Σ token losses) = −w·dL/d(log-prob) / pairs (+ the SFT term's share),
            // for the objective Σ w·L / pairs: a pair of weight w counts w times.
            let w = pair.weight
            let sftScale = w * settings.sftWeight / Float(max(chosenTokens, 1))
            model.backward(lossScale: -w * outcome.chosenGradient / pairs + sftScale)
            model.backward(lossScale: -w * outcome.rejectedGradient / pairs, slot: rejectedSlot)
        }
        metrics.finish(chosenTargetTokens: chosenTokens, sftWeight: settings.sftWeight)
        return metrics
    }

    /// log π(y | x): minus the summed token losses of the answer.
    private func logProb(_ sequence: TrainingSequence, slot: ActivationBuffers? = nil) -> Float {
        -model.forward(tokens: sequence.tokens, targets: sequence.targets, normalizer: 1, slot: slot)
    }
}
