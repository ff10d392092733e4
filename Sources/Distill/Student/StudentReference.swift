import Corpus
import Foundation

/// What a route's `student` (or `retort eval`'s argument) names, resolved once: a version
/// registered in the `students` table, or a GGUF file on disk.
public enum StudentReference: Sendable, Equatable {
    /// A registered version and its GGUF file.
    case version(String, file: String)
    /// A model file named by path (absolute).
    case file(String)

    /// The GGUF file to load.
    public var path: String {
        switch self {
        case .version(_, let file): file
        case .file(let path): path
        }
    }

    /// The name the evidence is recorded under: the version, or the file's absolute path.
    public var name: String {
        switch self {
        case .version(let version, _): version
        case .file(let path): path
        }
    }

    /// Resolves `name`: a registered version first, else an existing file.
    /// - Throws: ``DistillError/unknownStudent(_:)`` when it is neither.
    public static func resolve(_ name: String, store: any ServingStorage) throws -> StudentReference {
        if let file = try store.studentModelPath(version: name) { return .version(name, file: file) }
        guard FileManager.default.fileExists(atPath: name) else { throw DistillError.unknownStudent(name) }
        return .file(URL(fileURLWithPath: name).standardizedFileURL.path)
    }
}

/// Failures of the distillation loop, with a message for the operator.
public enum DistillError: Error, Sendable, CustomStringConvertible {
    /// A student reference that names neither a registered version nor a file.
    case unknownStudent(String)
    /// Training settings that cannot work: why, and the setting's key when one is to blame.
    case invalidTrainingSettings(String, key: String? = nil)
    /// A training run is queued or running already.
    case runActive(id: String, status: String)
    /// The training process could not be started.
    case launchFailed(executable: String, reason: String)

    /// A one-line message.
    public var description: String {
        switch self {
        case .unknownStudent(let name):
            "no student version or model file named '\(name)' (see `retort students`)"
        case .invalidTrainingSettings(let reason, _):
            reason
        case .runActive(let id, let status):
            "run \(id) is \(status); one run at a time"
        case .launchFailed(let executable, let reason):
            "could not start the training process \(executable): \(reason)"
        }
    }
}
