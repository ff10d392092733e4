import Engine
import Foundation
import Testing
import TestSupport

/// Loading bad model files fails with an error naming the problem.
@Suite struct ModelLoadingTests {
    /// Rewrites the tiny model's file with `edit` applied to its metadata and tensors.
    private func variant(_ edit: (inout GGUFWriter, GGUFFile) -> Void, skipping skipped: Set<String> = []) throws -> String {
        let source = try GGUFFile(path: try TinyModel.write(seed: 1))
        var writer = GGUFWriter()
        for (key, value) in source.metadata.sorted(by: { $0.key < $1.key }) { writer.set(key, value) }
        for info in source.tensors where !skipped.contains(info.name) {
            writer.addRawTensor(info.name, shape: info.shape, type: info.type, bytes: Array(source.tensorBytes(info)))
        }
        edit(&writer, source)
        let path = NSTemporaryDirectory() + "engine-variant-\(UUID().uuidString).gguf"
        try writer.write(to: path)
        return path
    }

    private func loadError(_ path: String) -> EngineError? {
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try StudentModel(path: path, threads: 1)
            return nil
        } catch {
            return error as? EngineError
        }
    }

    @Test func unchangedCopyLoads() throws {
        #expect(loadError(try variant { _, _ in }) == nil)
    }

    @Test func unknownArchitecture() throws {
        let error = loadError(try variant { writer, _ in writer.set("general.architecture", .string("gemma3")) })
        #expect(error == .unsupportedArchitecture("gemma3"))
    }

    @Test func missingTensorIsNamed() throws {
        let error = loadError(try variant({ _, _ in }, skipping: ["blk.1.ffn_up.weight"]))
        #expect(error == .invalidTensor(name: "blk.1.ffn_up.weight", reason: "missing from the file"))
    }

    @Test func wrongShapeIsNamed() throws {
        let error = loadError(try variant({ writer, _ in
            writer.addTensor("blk.0.attn_norm.weight", shape: [32], values: [Float](repeating: 1, count: 32))
        }, skipping: ["blk.0.attn_norm.weight"]))
        guard case let .invalidTensor(name, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(name == "blk.0.attn_norm.weight")
    }

    @Test func missingHyperparameter() throws {
        let error = loadError(try variant { writer, source in
            writer = GGUFWriter()
            for (key, value) in source.metadata.sorted(by: { $0.key < $1.key }) where key != "llama.block_count" {
                writer.set(key, value)
            }
        })
        #expect(error == .missingMetadata(key: "llama.block_count"))
    }

    @Test func unsupportedTokenizer() throws {
        let error = loadError(try variant { writer, _ in writer.set("tokenizer.ggml.model", .string("llama")) })
        #expect(error == .unsupportedTokenizer("tokenizer.ggml.model = llama"))
    }

    @Test func truncatedRealSizedFile() throws {
        let path = try TinyModel.write(seed: 2)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let error = loadError(path)
        #expect(error?.description.contains("truncated") == true)
    }
}

/// Random byte flips in the header, metadata and tensor infos never crash the loader.
@Suite struct CorruptionFuzzTests {
    @Test func randomByteFlips() throws {
        let source = try TinyModel.write(seed: 4)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let original = try Data(contentsOf: URL(fileURLWithPath: source))
        let headerEnd = try GGUFFile(path: source).dataOffset
        var random = SeededGenerator(seed: 2024)
        let path = NSTemporaryDirectory() + "engine-fuzz-\(UUID().uuidString).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var failures = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 {
                let index = Int(random.next() % UInt64(headerEnd))
                bytes[index] = UInt8(truncatingIfNeeded: random.next())
            }
            try bytes.write(to: URL(fileURLWithPath: path))
            do { _ = try StudentModel(path: path, threads: 1) } catch is EngineError { failures += 1 }
        }
        #expect(failures > 0)  // most flips are caught; none may crash the process
    }
}
