import Engine
import Foundation
import Testing
import Training

@testable import Distill

/// Choosing the epoch count by validation loss: the best epoch's parameters are kept on
/// disk and put back, and a resumed run continues the same history.
@Suite struct EpochValidationTests {
    /// A tiny LoRA model, its trainer and a validation slice of next-token sequences.
    private func fixture() throws -> (Trainer, [TrainingSequence]) {
        let config = LlamaConfig(channels: 16, layers: 2, heads: 4, kvHeads: 2, feedForward: 32,
                                 vocabularySize: 13, contextLength: 16)
        let model = try TrainableLlama(config: config, maxRows: 8, lora: LoRAConfiguration(rank: 4, alpha: 8, seed: 3))
        model.initializeRandomly(seed: 71, scale: 0.3)
        let trainer = try Trainer(model: model, schedule: try LearningRateSchedule(peak: 1e-2, warmupSteps: 0, totalSteps: 10))
        let sequences = (Int32(1)...4).map { (i: Int32) -> TrainingSequence in
            TrainingSequence(tokens: [0, i, i + 1, 12], targets: [CrossEntropy.ignored, i + 1, 12, 12])
        }
        return (trainer, sequences)
    }

    @Test func theWorseEpochStopsTheRunAndTheBestParametersComeBack() throws {
        let (trainer, sequences) = try fixture()
        let workspace = RunWorkspace(database: NSTemporaryDirectory() + "retort-epochs-\(UUID().uuidString)/corpus.sqlite",
                                     runID: "run-1")
        try workspace.create()
        defer { try? FileManager.default.removeItem(atPath: workspace.dataDirectory) }
        let trainable = trainer.model.trainable
        let bestParameters = Array(UnsafeBufferPointer(start: trainable.parameters, count: trainable.count))

        let validation = try EpochValidation(sequences: sequences, trainer: trainer, workspace: workspace)
        let first = try validation.endOfEpoch(1, step: 5)
        #expect(first.improved)
        // The loss is the mean over every target token of the slice: the independent sum.
        let manual = sequences.reduce(Float(0)) {
            $0 + trainer.model.forward(tokens: $1.tokens, targets: $1.targets) * Float(CrossEntropy.maskedInCount($1.targets))
        } / Float(sequences.reduce(0) { $0 + CrossEntropy.maskedInCount($1.targets) })
        #expect(abs(first.loss - Double(manual)) < 1e-5 * max(1, Double(manual)))

        // Epoch 2 spoils the adapters: worse, so the run stops, and the best come back.
        for i in 0..<trainable.count { trainable.parameters[i] += Float(i % 7) * 0.5 - 1.5 }
        let second = try validation.endOfEpoch(2, step: 10)
        #expect(!second.improved && second.loss > first.loss)
        try validation.restoreBest()
        #expect(Array(UnsafeBufferPointer(start: trainable.parameters, count: trainable.count)) == bestParameters)
        #expect(Double(trainer.validationLoss(sequences)) == first.loss)
        #expect(validation.json["chosen_epoch"]?.intValue == 1 && validation.json["epochs_trained"]?.intValue == 2)

        // A resumed run reads the history; measuring epoch 2 again replaces it, not appends.
        let resumed = try EpochValidation(sequences: sequences, trainer: trainer, workspace: workspace)
        #expect(resumed.points.map(\.epoch) == [1, 2])
        let again = try resumed.endOfEpoch(2, step: 10)
        #expect(!again.improved && resumed.points.map(\.epoch) == [1, 2])  // equal to epoch 1 is no improvement
    }
}
