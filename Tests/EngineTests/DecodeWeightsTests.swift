import Engine
import Foundation
import Testing
import TestSupport

/// `decode_weights: auto` picks the format that fits the file; an explicit one is kept.
@Suite struct DecodeWeightsTests {
    @Test func autoKeepsAQ4_1FilesOwnBlocks() throws {
        let model = try RealModel.load()  // the shipped file: every layer Q4_1
        #expect(model.model.decodeWeights == .q4_1)
        #expect(DecodeWeights.auto.resolved(for: model.file) == .q4_1)
    }

    @Test func autoDecodesAnyOtherFileAsQ8() throws {
        let path = try TinyModel.write()  // f32 layers
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(DecodeWeights.auto.resolved(for: file) == .q8_0)
        #expect(try LlamaModel(file: file, threads: 1).decodeWeights == .q8_0)
    }

    @Test(arguments: [DecodeWeights.q8_0, .q4_1, .f32])
    func anExplicitFormatIsKept(weights: DecodeWeights) throws {
        let model = try RealModel.load()
        #expect(weights.resolved(for: model.file) == weights)
    }
}
