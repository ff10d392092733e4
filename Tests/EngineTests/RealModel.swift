import Engine
import Foundation

/// The real SmolLM2-135M-Instruct file, loaded once for all tests that need it.
///
/// Found at `$RETORT_STUDENT_MODEL` or as `models/SmolLM2-135M-Instruct*.gguf` in the
/// repository; when absent the tests fail telling how to fetch it.
enum RealModel {
    /// The repository root, from this file's location (Tests/EngineTests/RealModel.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Where the model file is, or `nil`.
    static var path: String? {
        if let path = ProcessInfo.processInfo.environment["RETORT_STUDENT_MODEL"],
           FileManager.default.fileExists(atPath: path) { return path }
        let directory = repositoryRoot.appendingPathComponent("models")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().first { $0.hasPrefix("SmolLM2-135M-Instruct") && $0.hasSuffix(".gguf") }
            .map { directory.appendingPathComponent($0).path }
    }

    /// Why the model is missing.
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "models/SmolLM2-135M-Instruct*.gguf not found: run scripts/fetch-model.sh first"
        }
    }

    /// The loaded model (f32 prefill, Q8 decode), shared by every test.
    static let shared: Result<StudentModel, Error> = Result {
        guard let path else { throw Missing() }
        return try StudentModel(path: path, threads: 2)
    }

    /// The loaded model, or throws `Missing` with the fetch instruction.
    static func load() throws -> StudentModel { try shared.get() }
}
