import Engine
import Testing
@testable import Training

/// A tiny model memorises a handful of sequences: the masked loss goes to near zero.
@Suite struct OverfittingTests {
    @Test func tinyModelMemorisesAFewSequences() throws {
        let config = LlamaConfig(channels: 16, layers: 2, heads: 4, kvHeads: 2, feedForward: 32,
                                 vocabularySize: 13, contextLength: 16)
        let model = TrainableLlama(config: config, maxRows: 8)
        model.initializeRandomly(seed: 31, scale: 0.2)
        let ignored = CrossEntropy.ignored
        // Prompt tokens are masked out; only the "answers" are learnt.
        let batch = [
            TrainingSequence(tokens: [1, 2, 3, 4, 5, 6], targets: [ignored, ignored, 4, 5, 6, 12]),
            TrainingSequence(tokens: [1, 7, 3, 8, 9, 10], targets: [ignored, ignored, 8, 9, 10, 12]),
            TrainingSequence(tokens: [11, 2, 3, 6, 5, 4], targets: [ignored, ignored, 6, 5, 4, 12]),
        ]
        let schedule = try LearningRateSchedule(peak: 2e-2, warmupSteps: 10, totalSteps: 200)
        let trainer = try Trainer(model: model, schedule: schedule, settings: .init(weightDecay: 0))
        let first = trainer.step(batch: batch)
        var last = first
        for _ in 1..<200 { last = trainer.step(batch: batch) }
        #expect(first.targetTokens == 12 && first.learningRate == 0)
        #expect(first.loss > 2)
        #expect(last.loss < 0.05)
    }
}
