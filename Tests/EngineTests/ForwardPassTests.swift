import Engine
import Foundation
import Testing
import TestSupport

/// The engine's forward paths (batched sgemm prefill, chunked prefill, f32 sgemv decode,
/// Q8 decode) against the naive double-precision reference on the tiny model.
@Suite struct ForwardPassTests {
    static let path: String = (try? TinyModel.write(seed: 7)) ?? ""
    static let tokens: [Int32] = [1, 100, 200, 37, 5, 268, 2, 90, 91, 92, 150, 12]

    private func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? .infinity
    }

    @Test func prefillMatchesNaiveReference() throws {
        let file = try GGUFFile(path: Self.path)
        let reference = try NaiveLlama(file: file).logits(Self.tokens)
        let model = try LlamaModel(file: file, threads: 2)
        let logits = try model.makeSession().forward(Self.tokens)
        #expect(maxDifference(logits, reference) < 1e-4)
    }

    @Test(arguments: DecodeWeights.allCases)
    func decodeMatchesNaiveReference(weights: DecodeWeights) throws {
        let file = try GGUFFile(path: Self.path)
        let reference = try NaiveLlama(file: file).logits(Self.tokens)
        let model = try LlamaModel(file: file, threads: 2, decodeWeights: weights)
        let session = model.makeSession(capacity: 4)  // forces the KV cache to grow
        try session.forward(Array(Self.tokens.prefix(5)))
        var logits: [Float]?
        for token in Self.tokens.dropFirst(5) { logits = try session.forward([token]) }
        // Q8 quantizes weights and activations (the kernels themselves are exact: KernelTests,
        // Q4MatrixTests); on random weights that moves logits by up to about 1 % of their
        // range, and Q4_1's 16 levels (requantized from these f32 weights) by about 4 %.
        let range = (reference.max() ?? 0) - (reference.min() ?? 0)
        // `auto` resolves at load (q8_0 for this f32 file), and the tolerance follows the result.
        let tolerance = switch model.decodeWeights { case .f32: 1e-4; case .q8_0, .auto: 0.02 * range; case .q4_1: 0.08 * range }
        let difference = maxDifference(try #require(logits), reference)
        #expect(difference < tolerance, "max |Δlogit| \(difference), logit range \(reference.min()!)…\(reference.max()!)")
        #expect(session.length == Self.tokens.count)
    }

    @Test func chunkedPrefillMatchesOneBatch() throws {
        let model = try LlamaModel(file: try GGUFFile(path: Self.path), threads: 2)
        let long = (0..<200).map { Int32(($0 * 37) % 269) }
        let whole = try model.makeSession(capacity: 256).forward(long)
        // Chunks of 64, and then a second call continuing the same cache.
        let session = model.makeSession(capacity: 8, batchLimit: 64)
        try session.forward(Array(long.prefix(150)))
        let split = try session.forward(Array(long.dropFirst(150)))
        #expect(zip(whole, split).map { abs($0 - $1) }.max() ?? 1 < 1e-3)
    }

    @Test func contextAndVocabularyLimits() throws {
        let model = try LlamaModel(file: try GGUFFile(path: Self.path), threads: 1)
        let session = model.makeSession()
        #expect(throws: EngineError.promptTooLong(promptTokens: 257, contextLength: 256)) {
            try session.forward([Int32](repeating: 5, count: 257))
        }
        #expect(throws: EngineError.self) { try session.forward([Int32(TinyModel.config.vocabularySize)]) }
        #expect(throws: EngineError.self) { try session.forward([]) }
    }
}
