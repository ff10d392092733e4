import Foundation

/// Starts `retort train` child processes: one per run, in its own process (at nice 10,
/// which the child sets itself) so training never takes the gateway's threads, with its
/// output in `<data>/runs/<run id>/train.log`.
public struct TrainingLauncher: Sendable {
    /// The `retort` binary.
    public let executable: String
    /// The corpus file the child trains from (`--db`).
    public let database: String
    /// The base student model (`RETORT_STUDENT_MODEL` for the child).
    public let baseModel: String

    /// A launcher for `configuration`: its `training.executable`, else this process's binary.
    public init(configuration: GatewayConfiguration) {
        executable = configuration.training.executable ?? Self.currentExecutable
        database = configuration.database
        baseModel = configuration.student.model
    }

    /// nice(1), which starts the child at a lower priority.
    static let nice = "/usr/bin/nice"

    /// The running binary's path.
    static var currentExecutable: String {
        Bundle.main.executablePath ?? CommandLine.arguments.first ?? "retort"
    }

    /// Starts `retort train <arguments> --db <database>` and returns its pid.
    /// - Parameter logName: the child's log file, relative to the data directory
    public func launch(_ arguments: [String], log logName: String) throws -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: executable])
        }
        let dataDirectory = URL(fileURLWithPath: database).deletingLastPathComponent()
        let log = dataDirectory.appendingPathComponent(logName)
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        let command = [executable, "train"] + arguments + ["--db", database]
        // Started at nice 10 through nice(1) where it exists, so every thread of the child
        // (BLAS workers included) starts low; the child lowers itself as well.
        if FileManager.default.isExecutableFile(atPath: Self.nice) {
            process.executableURL = URL(fileURLWithPath: Self.nice)
            process.arguments = ["-n", "10"] + command
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(command.dropFirst())
        }
        var environment = ProcessInfo.processInfo.environment
        environment["RETORT_STUDENT_MODEL"] = baseModel
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        ChildProcesses.shared.keep(process)
        do {
            try process.run()
        } catch {
            ChildProcesses.shared.forget(process)
            throw error
        }
        return process.processIdentifier
    }
}

/// Keeps launched processes referenced until they exit, so each is reaped.
final class ChildProcesses: @unchecked Sendable {
    static let shared = ChildProcesses()
    private let lock = NSLock()
    private var running: [ObjectIdentifier: Process] = [:]

    func keep(_ process: Process) {
        let key = ObjectIdentifier(process)
        lock.withLock { running[key] = process }
        process.terminationHandler = { [weak self] in self?.forget($0) }
    }

    func forget(_ process: Process) {
        _ = lock.withLock { running.removeValue(forKey: ObjectIdentifier(process)) }
    }
}
