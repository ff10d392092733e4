import Engine
import Foundation
import Testing
import TestSupport
@testable import Training

/// A `TrainableLlama` built from a GGUF file computes the same logits as the engine that serves it.
@Suite struct PretrainedLoadingTests {
    static let tokens: [Int32] = [1, 72, 101, 260, 265, 32, 119, 111, 2, 45, 266, 13]

    /// Row t of the engine's logits after the prefix `tokens[0...t]`, for every t (T, V).
    static func engineLogits(_ file: GGUFFile) throws -> [[Float]] {
        let model = try LlamaModel(file: file, threads: 1, decodeWeights: .f32)
        let session = model.makeSession(capacity: tokens.count)
        return try tokens.map { try session.forward([$0]) }
    }

    @Test func logitsMatchTheEngineOnTheTinyModel() throws {
        let path = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        let model = try TrainableLlama(file: file, maxRows: 16)
        let V = model.config.vocabularySize
        #expect(model.config == TinyModel.config)
        model.forward(tokens: Self.tokens, targets: [Int32](repeating: 0, count: Self.tokens.count))
        #expect(model.activations.targetCount == Self.tokens.count)
        let reference = try Self.engineLogits(file)
        var worst: Float = 0, largest: Float = 0
        for (t, row) in reference.enumerated() {
            for v in 0..<V {
                worst = max(worst, abs(model.activations.logits[t * V + v] - row[v]))
                largest = max(largest, abs(row[v]))
            }
        }
        #expect(largest > 0.1)
        #expect(worst / largest < 1e-4)
    }

    @Test func namesMapToGGUF() {
        #expect(TrainableLlama.ggufName(of: "model.layers.3.self_attn.k_proj.weight") == "blk.3.attn_k.weight")
        #expect(TrainableLlama.ggufName(of: "model.layers.0.post_attention_layernorm.weight") == "blk.0.ffn_norm.weight")
        #expect(TrainableLlama.ggufName(of: "model.embed_tokens.weight") == "token_embd.weight")
        #expect(TrainableLlama.ggufName(of: "lm_head.weight") == nil)
    }

    @Test func aFileOfOtherSizesIsRejected() throws {
        let path = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = TinyModel.config
        config.feedForward = 96
        let model = TrainableLlama(config: config, maxRows: 4)
        #expect(throws: TrainingError.self) { try model.loadWeights(from: GGUFFile(path: path)) }
    }

    @Test func logitsAreComputedOnlyAtTargets() {
        let model = TrainableLlama(config: ModelGradientTests.config, maxRows: 8)
        model.initializeRandomly(seed: 3)
        let ignored = CrossEntropy.ignored
        model.forward(tokens: [1, 2, 3, 4, 5], targets: [ignored, 3, ignored, ignored, 6])
        #expect(model.activations.targetCount == 2)
        #expect(model.activations.targetPositions[0] == 1 && model.activations.targetPositions[1] == 4)
    }
}
