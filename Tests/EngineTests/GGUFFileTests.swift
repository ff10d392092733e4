import Foundation
import Testing
@testable import Engine

/// Writer → reader round trips, and corrupt or truncated files failing with named errors.
@Suite struct GGUFFileTests {
    private func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "engine-\(name)-\(UUID().uuidString).gguf"
    }

    private func sampleWriter() -> GGUFWriter {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("test.count", .uint32(7))
        writer.set("test.ratio", .float32(0.5))
        writer.set("test.flag", .bool(true))
        writer.set("test.words", .array(elementType: 8, values: [.string("a"), .string("ß✓")]))
        writer.set("test.nested", .array(elementType: 9, values: [.array(elementType: 5, values: [.int32(-3)])]))
        writer.addTensor("vector", shape: [3], values: [1, -2, 3.5])
        writer.addTensor("matrix", shape: [64, 2], values: (0..<128).map { Float($0) / 10 }, as: .q8_0)
        writer.addTensor("halves", shape: [4], values: [0.5, 1, -2, 65504], as: .f16)
        return writer
    }

    @Test func roundTrip() throws {
        let path = temporaryPath("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try sampleWriter().write(to: path)
        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.metadata["general.architecture"]?.stringValue == "llama")
        #expect(file.metadata["test.count"]?.intValue == 7)
        #expect(file.metadata["test.ratio"]?.doubleValue == 0.5)
        #expect(file.metadata["test.flag"]?.boolValue == true)
        #expect(file.metadata["test.words"]?.stringArray == ["a", "ß✓"])
        #expect(file.metadata["test.nested"] == .array(elementType: 9, values: [.array(elementType: 5, values: [.int32(-3)])]))
        #expect(try file.dequantizedTensor("vector") == [1, -2, 3.5])
        #expect(try file.dequantizedTensor("halves") == [0.5, 1, -2, 65504])
        let matrix = try file.dequantizedTensor("matrix")
        #expect(file.tensorInfo("matrix")?.shape == [64, 2])
        #expect(file.tensorInfo("matrix")?.type == .q8_0)
        for (index, value) in matrix.enumerated() { #expect(abs(value - Float(index) / 10) < 0.05) }
        #expect(file.dataOffset % 32 == 0)
    }

    @Test func everyTruncationThrows() throws {
        let bytes = sampleWriter().encoded()
        // Cut the file at many points, including inside the header, metadata, infos and data.
        // The last tensor ("halves", 8 bytes) is followed by 24 bytes of padding that may go.
        let dataEnd = bytes.count - 24
        for length in stride(from: 0, to: dataEnd, by: 7) {
            let path = temporaryPath("truncated")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(bytes[0..<length]).write(to: URL(fileURLWithPath: path))
            #expect(throws: EngineError.self) { _ = try GGUFFile(path: path) }
        }
    }

    @Test func namedErrors() throws {
        var bytes = sampleWriter().encoded()
        let path = temporaryPath("corrupt")
        defer { try? FileManager.default.removeItem(atPath: path) }

        bytes[0] = UInt8(ascii: "X")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: EngineError.invalidGGUF("bad magic: \(path) is not a GGUF file")) { try GGUFFile(path: path) }

        bytes = sampleWriter().encoded()
        bytes[4] = 1  // version 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: EngineError.invalidGGUF("unsupported GGUF version 1 (2 and 3 are supported)")) { try GGUFFile(path: path) }

        bytes = sampleWriter().encoded()
        bytes[8] = 0xFF; bytes[15] = 0x7F  // absurd tensor count
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: EngineError.self) { try GGUFFile(path: path) }

        bytes = sampleWriter().encoded()
        try Data(bytes.dropLast(40)).write(to: URL(fileURLWithPath: path))
        do {
            _ = try GGUFFile(path: path)
            Issue.record("a truncated data section must throw")
        } catch let error as EngineError {
            #expect(error.description.contains("truncated"))
        }
    }

    @Test func missingFile() {
        #expect(throws: EngineError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
    }
}
