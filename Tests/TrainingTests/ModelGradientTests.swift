import Engine
import Testing
@testable import Training

/// A whole tiny Llama (L = 2) forward and backward against finite differences of the loss.
@Suite struct ModelGradientTests {
    static let config = LlamaConfig(channels: 8, layers: 2, heads: 4, kvHeads: 2, feedForward: 12,
                                    vocabularySize: 11, contextLength: 16)
    static let tokens: [Int32] = [1, 5, 9, 2, 7, 3]
    static let targets: [Int32] = [CrossEntropy.ignored, CrossEntropy.ignored, 2, 7, 3, 10]

    @Test func layoutCarvesEveryTensorOnce() {
        let layout = ParameterLayout(config: Self.config)
        #expect(layout.entries.count == 2 + 9 * Self.config.layers)
        #expect(layout.entries.last.map { $0.offset + $0.count } == layout.count)
        #expect(layout.entries[2].name == "model.layers.0.self_attn.q_proj.weight")
        #expect(layout.entries[3].shape == [Self.config.kvDim, Self.config.channels])
    }

    @Test func fullModelGradientMatchesFiniteDifferences() {
        let model = TrainableLlama(config: Self.config, maxRows: 8)
        model.initializeRandomly(seed: 11, scale: 0.5)
        let loss = model.forward(tokens: Self.tokens, targets: Self.targets)
        #expect(loss > 0 && loss.isFinite)
        model.zeroGradients()
        model.backward()
        let analytic = Array(UnsafeBufferPointer(start: model.trainable.gradients, count: model.layout.count))
        var generator = SeededGenerator(seed: 12)
        var sampled: [Int] = []
        for entry in model.layout.entries {  // four entries of every tensor
            for _ in 0..<4 { sampled.append(entry.offset + Int.random(in: 0..<entry.count, using: &generator)) }
        }
        let error = finiteDifferenceError(model: model, indices: sampled, analytic: analytic)
        #expect(error < 5e-3)
        #expect(sampled.contains { analytic[$0] != 0 })
    }

    @Test func loadsOnlyMaskedInPositions() {
        let model = TrainableLlama(config: Self.config, maxRows: 8)
        model.initializeRandomly(seed: 13)
        let full = model.forward(tokens: Self.tokens, targets: Self.targets)
        var changed = Self.targets
        changed[0] = CrossEntropy.ignored
        changed[1] = CrossEntropy.ignored
        #expect(model.forward(tokens: Self.tokens, targets: changed) == full)
        let doubled = model.forward(tokens: Self.tokens, targets: Self.targets, normalizer: 8)
        #expect(abs(doubled - full * 4 / 8) < 1e-6)
    }

    /// ‖numeric − analytic‖ / ‖numeric‖ over `indices` of the parameter arena.
    func finiteDifferenceError(model: TrainableLlama, indices: [Int], analytic: [Float]) -> Double {
        let norms = finiteDifferences(of: { Double(model.forward(tokens: Self.tokens, targets: Self.targets)) },
                                      parameters: model.parameters, analytic: analytic, indices: indices)
        return norms.difference / max(norms.numeric, 1e-9)
    }
}
