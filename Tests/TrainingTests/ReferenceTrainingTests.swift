import Engine
import Foundation
import Testing
@testable import Training

/// Ten optimizer steps of a tiny seeded Llama against the independent float64 numpy
/// implementation in Fixtures/reference.py (its own forward, hand-written backward
/// checked by finite differences, clipping, AdamW, schedule), committed as
/// Fixtures/reference.json. Tolerance: 1e-4 relative on each step's loss, 1e-3 on the
/// gradient norm (float32 here against float64 there).
@Suite struct ReferenceTrainingTests {
    struct Fixture: Decodable {
        struct Config: Decodable {
            let channels, layers, heads, kv_heads, feed_forward, vocabulary: Int
            let rope_base, rms_epsilon: Float
        }
        struct Training: Decodable {
            let peak: Float, warmup: Int, total: Int, beta1, beta2, epsilon, weight_decay, max_norm: Float
            let steps: Int
        }
        struct Sequence: Decodable { let tokens, targets: [Int32] }
        let config: Config
        let training: Training
        let batch: [Sequence]
        let weights: [String: [Float]]
        let losses: [Double]
        let gradient_norms: [Double]
    }

    static func load() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func tenStepsMatchTheNumpyReference() throws {
        let fixture = try Self.load()
        let c = fixture.config, t = fixture.training
        let config = LlamaConfig(channels: c.channels, layers: c.layers, heads: c.heads, kvHeads: c.kv_heads,
                                 feedForward: c.feed_forward, vocabularySize: c.vocabulary, contextLength: 16,
                                 ropeBase: c.rope_base, rmsEpsilon: c.rms_epsilon)
        let model = TrainableLlama(config: config, maxRows: 8)
        for entry in model.layout.entries {
            let values = try #require(fixture.weights[entry.name], "missing \(entry.name)")
            try #require(values.count == entry.count)
            (model.parameters + entry.offset).update(from: values, count: values.count)
        }
        let schedule = try LearningRateSchedule(peak: t.peak, warmupSteps: t.warmup, totalSteps: t.total)
        let settings = AdamW.Settings(beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon, weightDecay: t.weight_decay)
        let trainer = try Trainer(model: model, schedule: schedule, settings: settings, maxGradientNorm: t.max_norm)
        let batch = fixture.batch.map { TrainingSequence(tokens: $0.tokens, targets: $0.targets) }
        for step in 0..<t.steps {
            let report = trainer.step(batch: batch)
            let expectedLoss = fixture.losses[step], expectedNorm = fixture.gradient_norms[step]
            #expect(abs(Double(report.loss) - expectedLoss) / expectedLoss < 1e-4, "loss at step \(step)")
            #expect(abs(Double(report.gradientNorm) - expectedNorm) / expectedNorm < 1e-3, "norm at step \(step)")
        }
    }
}
