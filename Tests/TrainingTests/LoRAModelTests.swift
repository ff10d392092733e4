import Engine
import Testing
@testable import Training

/// LoRA on the whole model: adapter gradients against finite differences, merging,
/// the adapters switch, and a frozen base.
@Suite struct LoRAModelTests {
    static let config = ModelGradientTests.config
    static let tokens = ModelGradientTests.tokens, targets = ModelGradientTests.targets
    static let lora = LoRAConfiguration(rank: 2, alpha: 4, seed: 5)

    /// A tiny model with random base weights and random (non-zero) adapters.
    static func model(_ lora: LoRAConfiguration = lora, seed: UInt64 = 21) throws -> TrainableLlama {
        let model = try TrainableLlama(config: config, maxRows: 8, lora: lora)
        model.initializeRandomly(seed: seed, scale: 0.5)
        var generator = SeededGenerator(seed: seed + 1)
        let adapters = try #require(model.adapters)
        for i in 0..<adapters.count { adapters.parameters[i] = Float.random(in: -0.5...0.5, using: &generator) }
        return model
    }

    /// The logits at every position (T, V).
    static func logits(_ model: TrainableLlama) -> [Float] {
        model.forward(tokens: tokens, targets: [Int32](repeating: 0, count: tokens.count))
        return Array(UnsafeBufferPointer(start: model.activations.logits, count: tokens.count * config.vocabularySize))
    }

    @Test func adapterGradientsMatchFiniteDifferences() throws {
        let model = try Self.model()
        let adapters = try #require(model.adapters)
        model.zeroGradients()
        model.forward(tokens: Self.tokens, targets: Self.targets)
        model.backward()
        let analytic = Array(UnsafeBufferPointer(start: adapters.gradients, count: adapters.count))
        var generator = SeededGenerator(seed: 23)
        let indices = adapters.entries.flatMap { entry in
            (0..<3).map { _ in entry.offset + Int.random(in: 0..<entry.count, using: &generator) }
        }
        let norms = finiteDifferences(of: { Double(model.forward(tokens: Self.tokens, targets: Self.targets)) },
                                      parameters: adapters.parameters, analytic: analytic, indices: indices)
        #expect(norms.numeric * norms.numeric > 1e-6)
        #expect(norms.difference / norms.numeric < 5e-3)
        #expect(model.gradients == nil && !model.trainsBaseWeights)
    }

    @Test func mergedWeightsComputeTheAdaptedLogits() throws {
        let model = try Self.model()
        let adapted = Self.logits(model)
        model.adaptersEnabled = false
        let base = Self.logits(model)
        model.adaptersEnabled = true
        model.mergeAdapters()
        let merged = Self.logits(model)
        #expect(zip(adapted, base).contains { abs($0 - $1) > 1e-2 })  // the adapters matter
        #expect(zip(adapted, merged).allSatisfy { abs($0 - $1) < 1e-4 })
        model.adaptersEnabled = false
        #expect(zip(Self.logits(model), merged).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test func freshAdaptersStartAtTheBase() throws {
        let full = TrainableLlama(config: Self.config, maxRows: 8)
        full.initializeRandomly(seed: 31)
        let adapted = try TrainableLlama(config: Self.config, maxRows: 8, lora: LoRAConfiguration(rank: 4))
        adapted.initializeRandomly(seed: 31)
        #expect(Self.logits(full) == Self.logits(adapted))
    }

    @Test func trainingMovesOnlyTheAdapters() throws {
        let model = try Self.model(LoRAConfiguration(rank: 4, alpha: 8, targets: [.query, .value, .down]))
        let base = Array(UnsafeBufferPointer(start: model.parameters, count: model.layout.count))
        let schedule = try LearningRateSchedule(peak: 1e-2, warmupSteps: 0, totalSteps: 30)
        let trainer = try Trainer(model: model, schedule: schedule)
        let batch = [TrainingSequence(tokens: Self.tokens, targets: Self.targets)]
        let first = trainer.step(batch: batch)
        var last = first
        for _ in 1..<30 { last = trainer.step(batch: batch) }
        #expect(last.loss < first.loss * 0.7)
        #expect(Array(UnsafeBufferPointer(start: model.parameters, count: model.layout.count)) == base)
        #expect(model.adapters?.blocks[0].map(\.members) == [[.query, .value], [.down]])
    }

    @Test func invalidConfigurationsThrow() {
        #expect(throws: TrainingError.self) { try LoRAConfiguration(rank: 0).validate() }
        #expect(throws: TrainingError.self) { try LoRAConfiguration(targets: [.up, .up]).validate() }
        #expect(throws: TrainingError.self) { try LoRAConfiguration(targets: []).validate() }
    }
}
