import Engine
import Foundation
import Testing
@testable import Training

/// DPO: the loss formula, its gradient through the model, and learning a preference.
@Suite struct DPOTests {
    static let ignored = CrossEntropy.ignored

    /// A pair of answers after the prompt `prompt`, the answer tokens as targets.
    static func pair(prompt: [Int32], chosen: [Int32], rejected: [Int32]) -> PreferencePair {
        func sequence(_ answer: [Int32]) -> TrainingSequence {
            let tokens = prompt + answer.dropLast()
            let targets = [Int32](repeating: ignored, count: prompt.count - 1) + answer
            return TrainingSequence(tokens: tokens, targets: targets)
        }
        return PreferencePair(chosen: sequence(chosen), rejected: sequence(rejected))
    }

    @Test func lossFormulaAgreesWithItsDefinition() {
        let loss = DPOLoss(beta: 0.5)
        let reference = ReferenceLogProbs(chosen: -3, rejected: -2)
        let outcome = loss.evaluate(chosen: -2.5, rejected: -4, reference: reference)
        let margin = 0.5 * ((-2.5 + 3) - (-4 + 2))  // 1.25
        #expect(abs(Double(outcome.margin) - margin) < 1e-6)
        #expect(abs(Double(outcome.loss) - -log(1 / (1 + exp(-margin)))) < 1e-6)
        let h: Float = 1e-2
        let numeric = (loss.evaluate(chosen: -2.5 + h, rejected: -4, reference: reference).loss
            - loss.evaluate(chosen: -2.5 - h, rejected: -4, reference: reference).loss) / (2 * h)
        #expect(abs(numeric - outcome.chosenGradient) < 1e-4)
        #expect(outcome.rejectedGradient == -outcome.chosenGradient)
        #expect(loss.evaluate(chosen: 0, rejected: -1e4, reference: .init(chosen: 0, rejected: 0)).loss == 0)
        #expect(loss.evaluate(chosen: -1e4, rejected: 0, reference: .init(chosen: 0, rejected: 0)).loss > 4999)
    }

    @Test func gradientThroughTheModelMatchesFiniteDifferences() throws {
        let model = TrainableLlama(config: ModelGradientTests.config, maxRows: 8)
        model.initializeRandomly(seed: 51, scale: 0.5)
        let schedule = try LearningRateSchedule(peak: 1e-3, warmupSteps: 0, totalSteps: 10)
        let trainer = try DPOTrainer(model: model, schedule: schedule, settings: DPOSettings(beta: 0.5, sftWeight: 0.3))
        let batch = [Self.pair(prompt: [1, 2, 3], chosen: [4, 5, 10], rejected: [6, 10]),
                     Self.pair(prompt: [7, 8], chosen: [9, 10], rejected: [3, 2, 1, 10])]
        let references = try batch.map { try trainer.referenceLogProbs(for: $0) }
        model.initializeRandomly(seed: 52, scale: 0.5)  // the policy moves away from the reference
        model.zeroGradients()
        let metrics = trainer.accumulateGradients(batch: batch, references: references)
        #expect(metrics.pairs == 2 && metrics.meanMargin != 0)
        let analytic = Array(UnsafeBufferPointer(start: model.trainable.gradients, count: model.layout.count))
        var generator = SeededGenerator(seed: 53)
        let indices = model.layout.entries.flatMap { entry in
            (0..<3).map { _ in entry.offset + Int.random(in: 0..<entry.count, using: &generator) }
        }
        let norms = finiteDifferences(of: { Double(trainer.evaluate(batch: batch, references: references).loss) },
                                      parameters: model.parameters, analytic: analytic, indices: indices)
        #expect(norms.numeric * norms.numeric > 1e-6)
        #expect(norms.difference / norms.numeric < 5e-3)
    }

    /// A pair's weight (its provenance's, `source_weights`) scales its whole gradient, the
    /// SFT term included; weight 0 removes it.
    @Test func aPairsWeightScalesItsGradient() throws {
        let model = TrainableLlama(config: ModelGradientTests.config, maxRows: 8)
        model.initializeRandomly(seed: 61, scale: 0.5)
        let schedule = try LearningRateSchedule(peak: 1e-3, warmupSteps: 0, totalSteps: 10)
        let trainer = try DPOTrainer(model: model, schedule: schedule, settings: DPOSettings(beta: 0.5, sftWeight: 0.3))
        var pair = Self.pair(prompt: [1, 2, 3], chosen: [4, 5, 10], rejected: [6, 10])
        let references = [try trainer.referenceLogProbs(for: pair)]
        model.initializeRandomly(seed: 62, scale: 0.5)
        func gradient(weight: Float) -> [Float] {
            pair.weight = weight
            model.zeroGradients()
            _ = trainer.accumulateGradients(batch: [pair], references: references)
            return Array(UnsafeBufferPointer(start: model.trainable.gradients, count: model.layout.count))
        }
        let unit = gradient(weight: 1), scaled = gradient(weight: 2.5), none = gradient(weight: 0)
        let norm = unit.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(norm > 1e-4)
        let difference = zip(unit, scaled).reduce(Float(0)) { $0 + ($1.1 - 2.5 * $1.0) * ($1.1 - 2.5 * $1.0) }.squareRoot()
        #expect(difference / (2.5 * norm) < 1e-5)
        #expect(none.allSatisfy { $0 == 0 })
    }

    @Test func rewardAccuracyRisesOnSyntheticPairs() throws {
        let config = LlamaConfig(channels: 16, layers: 2, heads: 4, kvHeads: 2, feedForward: 32,
                                 vocabularySize: 13, contextLength: 16)
        let model = try TrainableLlama(config: config, maxRows: 8, lora: LoRAConfiguration(rank: 4, alpha: 8, seed: 3))
        model.initializeRandomly(seed: 61, scale: 0.3)
        // The preference: answer with the prompt's two tokens in order, not reversed.
        var generator = SeededGenerator(seed: 62)
        let batch = (0..<8).map { _ in
            let a = Int32.random(in: 1...11, using: &generator), b = Int32.random(in: 1...11, using: &generator)
            return Self.pair(prompt: [0, a, b], chosen: [a, b, 12], rejected: [b, a, 12])
        }
        let schedule = try LearningRateSchedule(peak: 2e-2, warmupSteps: 0, totalSteps: 60)
        let trainer = try DPOTrainer(model: model, schedule: schedule, settings: DPOSettings(beta: 0.5))
        let references = try batch.map { try trainer.referenceLogProbs(for: $0) }
        let before = trainer.evaluate(batch: batch, references: references)
        var report = trainer.step(batch: batch, references: references)
        for _ in 1..<60 { report = trainer.step(batch: batch, references: references) }
        let after = trainer.evaluate(batch: batch, references: references)
        #expect(before.rewardAccuracy <= 0.5 && abs(before.meanMargin) < 1e-5)
        #expect(after.rewardAccuracy > 0.9)
        #expect(after.loss < before.loss && after.meanMargin > 0)
        #expect(report.metrics.tokens == batch.reduce(0) { $0 + $1.chosen.tokens.count + $1.rejected.tokens.count })
        // The reference (adapters off) has not moved.
        #expect(try trainer.referenceLogProbs(for: batch[0]) == references[0])
    }

    @Test func aFullFineTuneRefusesLateReferences() throws {
        let model = TrainableLlama(config: ModelGradientTests.config, maxRows: 8)
        model.initializeRandomly(seed: 71)
        let trainer = try DPOTrainer(model: model, schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 0, totalSteps: 3))
        let pair = Self.pair(prompt: [1, 2], chosen: [3, 4], rejected: [5, 6])
        let reference = try trainer.referenceLogProbs(for: pair)
        let before = Array(UnsafeBufferPointer(start: model.parameters, count: model.layout.count))
        _ = trainer.step(batch: [], references: [])  // only advances the schedule
        #expect(trainer.step == 1 && Array(UnsafeBufferPointer(start: model.parameters, count: model.layout.count)) == before)
        _ = trainer.step(batch: [pair], references: [reference])
        #expect(throws: TrainingError.self) { try trainer.referenceLogProbs(for: pair) }
        #expect(throws: TrainingError.self) { try DPOSettings(beta: 0).validate() }
    }
}
