import Engine
import Foundation
import TestSupport
import Testing
@testable import Training

private func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("retort-export-\(UUID().uuidString)-\(name)").path
}

/// The tiny model's weights, perturbed so that no tensor is all ones or zero, with the
/// embedding rounded to the Q8_0 grid (the engine keeps its embedding in Q8_0, so an
/// exact f32 comparison needs weights that survive that rounding).
private func perturbedTinyModel(lora: LoRAConfiguration? = nil) throws -> (TrainableLlama, GGUFFile, String) {
    let path = try TinyModel.write()
    let file = try GGUFFile(path: path)
    let model = try TrainableLlama(file: file, maxRows: 128, lora: lora)
    var random = SeededGenerator(seed: 9)
    for i in 0..<model.layout.count { model.parameters[i] += (random.nextUnit() - 0.5) * 0.02 }
    let embedding = model.layout.entries[0]
    let snapped = Quantize.q8_0(Array(UnsafeBufferPointer(start: model.parameters + embedding.offset, count: embedding.count)))
    snapped.withUnsafeBytes { bytes in
        Dequantize.values(bytes, type: .q8_0,
                          into: UnsafeMutableBufferPointer(start: model.parameters + embedding.offset, count: embedding.count))
    }
    return (model, file, path)
}

@Suite struct ExportTests {
    @Test func safetensorsParseBackWithHuggingFaceNamesAndLayout() throws {
        let (model, _, basePath) = try perturbedTinyModel()
        let path = temporaryPath("model.safetensors")
        defer { for p in [path, basePath] { try? FileManager.default.removeItem(atPath: p) } }
        try ModelExport.writeSafetensors(model, to: path, metadata: ["retort_version": "s-0001"])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength % 8 == 0)
        let file = try Safetensors.read(path)
        #expect(file.metadata["retort_version"] == "s-0001" && file.metadata["format"] == "pt")
        #expect(file.tensors.count == model.layout.entries.count)
        #expect(bytes.count == 8 + headerLength + model.layout.count * 4)
        let norm = try #require(file.tensors["model.norm.weight"])
        #expect(norm.shape == [TinyModel.config.channels])
        let c = TinyModel.config
        let q = try #require(file.tensors["model.layers.1.self_attn.q_proj.weight"])
        let qEntry = try #require(model.layout.entries.first { $0.name == "model.layers.1.self_attn.q_proj.weight" })
        // HF row `j·half + i` of head h is GGUF row `2i + j`: check one element of each kind.
        let half = c.headDim / 2, column = 3, head = 1
        for (i, j) in [(0, 0), (0, 1), (2, 1), (half - 1, 0)] {
            let hfRow = head * c.headDim + j * half + i, ggufRow = head * c.headDim + 2 * i + j
            #expect(q.values[hfRow * c.channels + column] == model.parameters[qEntry.offset + ggufRow * c.channels + column])
        }
        let reloaded = try TrainableLlama(config: c, maxRows: 8, lora: nil)
        try ModelImport.load(reloaded, fromSafetensors: path)
        #expect((0..<model.layout.count).allSatisfy { reloaded.parameters[$0] == model.parameters[$0] })
    }

    @Test func hfLayoutTurnsInterleavedRoPEIntoRotateHalf() {
        // RoPE on adjacent pairs of the GGUF rows must equal rotate_half RoPE on the HF rows.
        let headDim = 8, half = 4, position = 5.0
        let gguf: [Float] = (0..<headDim).map { Float($0) * 0.37 - 1 }
        let hf = HFLayout.ggufToHF(gguf, heads: 1, headDim: headDim, columns: 1)
        var interleaved = gguf, rotateHalf = hf
        for i in 0..<half {
            let angle = position * pow(10000, -2 * Double(i) / Double(headDim))
            let (cosine, sine) = (Float(cos(angle)), Float(sin(angle)))
            (interleaved[2 * i], interleaved[2 * i + 1]) = (gguf[2 * i] * cosine - gguf[2 * i + 1] * sine,
                                                            gguf[2 * i] * sine + gguf[2 * i + 1] * cosine)
            (rotateHalf[i], rotateHalf[i + half]) = (hf[i] * cosine - hf[i + half] * sine, hf[i + half] * cosine + hf[i] * sine)
        }
        let converted = HFLayout.ggufToHF(interleaved, heads: 1, headDim: headDim, columns: 1)
        #expect(zip(converted, rotateHalf).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(HFLayout.hfToGGUF(hf, heads: 1, headDim: headDim, columns: 1) == gguf)
    }

    @Test(arguments: [ModelExport.GGUFType.f32, .q8_0])
    func exportedGGUFGivesTheTrainedModelsLogitsInTheEngine(type: ModelExport.GGUFType) throws {
        let (model, base, basePath) = try perturbedTinyModel()
        let path = temporaryPath("student.gguf")
        defer { for p in [path, basePath] { try? FileManager.default.removeItem(atPath: p) } }
        try ModelExport.writeGGUF(model, base: base, type: type, name: "tiny-student", to: path)
        let student = try StudentModel(path: path, decodeWeights: .f32)
        #expect(student.modelName == "tiny-student")
        let tokens = try student.promptTokens(for: [ChatMessage(role: "user", content: "the answer")])
        var targets = [Int32](repeating: CrossEntropy.ignored, count: tokens.count)
        targets[tokens.count - 1] = 0
        model.forward(tokens: tokens, targets: targets)
        let expected = Array(UnsafeBufferPointer(start: model.activations.logits, count: TinyModel.config.vocabularySize))
        let actual = try student.model.makeSession(capacity: tokens.count).forward(tokens)
        let worst = zip(expected, actual).map { abs($0 - $1) }.max() ?? .infinity
        let scale = expected.map(abs).max() ?? 1
        // f32: only summation order differs. q8_0: weights rounded to 8 bits.
        #expect(worst <= (type == .f32 ? 1e-4 : 0.05) * max(1, scale))
        #expect(try GGUFFile(path: path).metadata["tokenizer.chat_template"] == base.metadata["tokenizer.chat_template"])
    }

    @Test func adaptersAreWrittenInPEFTNamingWithTheirConfig() throws {
        let lora = LoRAConfiguration(rank: 4, alpha: 8, targets: [.query, .value, .down])
        let (model, _, basePath) = try perturbedTinyModel(lora: lora)
        let adapters = try #require(model.adapters)
        for i in 0..<adapters.count { adapters.parameters[i] = Float(i % 7) * 0.01 }
        let path = temporaryPath("adapter_model.safetensors")
        defer { for p in [path, basePath] { try? FileManager.default.removeItem(atPath: p) } }
        try AdapterExport.writeSafetensors(adapters, config: model.config, to: path)
        let file = try Safetensors.read(path)
        let c = TinyModel.config
        #expect(file.tensors.count == c.layers * 3 * 2)
        let a = try #require(file.tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"])
        let b = try #require(file.tensors["base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"])
        #expect(a.shape == [4, c.channels] && b.shape == [c.channels, 4])
        let config = try JSONSerialization.jsonObject(with: Data(AdapterExport.configJSON(lora, baseModel: "SmolLM2"))) as? [String: Any]
        #expect(config?["r"] as? Int == 4 && config?["lora_alpha"] as? Double == 8 && config?["peft_type"] as? String == "LORA")
        #expect(config?["target_modules"] as? [String] == ["q_proj", "v_proj", "down_proj"])
    }

    @Test func versionDirectoriesAppearWholeAndAreNeverOverwritten() throws {
        let root = temporaryPath("students")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let made = try VersionDirectory.create(root: root, version: "s-0001") { directory in
            try AtomicFile.write(directory + "/model.gguf", bytes: [1, 2, 3])
            return ["gguf": "model.gguf"]
        }
        #expect(made.directory == root + "/s-0001" && FileManager.default.fileExists(atPath: root + "/s-0001/model.gguf"))
        #expect(throws: TrainingError.self) {
            try VersionDirectory.create(root: root, version: "s-0001") { _ in [:] }
        }
        struct Boom: Error {}
        #expect(throws: TrainingError.self) {
            try VersionDirectory.create(root: root, version: "s-0002") { directory in
                try AtomicFile.write(directory + "/model.gguf", bytes: [1])
                throw Boom()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["s-0001"])
    }
}
