import Corpus
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
    /// The child's environment (the executable decides what it inherits).
    public let environment: [String: String]
    /// The configuration file the gateway read (`--config` for the child, so the evaluation
    /// after training sees the same routes, gate and student settings); nil: the defaults.
    public let configPath: String?

    /// A launcher of `executable` (nil: this process's binary) training from `database`.
    public init(executable: String?, database: String, baseModel: String, environment: [String: String],
                configPath: String? = nil) {
        self.executable = executable ?? Self.currentExecutable
        self.database = database
        self.baseModel = baseModel
        self.environment = environment
        self.configPath = configPath
    }

    /// nice(1), which starts the child at a lower priority.
    static let nice = "/usr/bin/nice"

    /// The running binary's path.
    static var currentExecutable: String {
        Bundle.main.executablePath ?? CommandLine.arguments.first ?? "retort"
    }

    /// Starts `retort train <arguments> [--config <file>] --db <database>` and returns its pid.
    /// - Parameters:
    ///   - logName: the child's log file, relative to the data directory
    ///   - runID: the run the child works on; if the child exits while the run is still
    ///     queued or running (killed for memory, crashed), the run is marked failed so the
    ///     next one can start (not when the gateway itself stopped the child, see
    ///     ``stopChildren()``: the run is resumed at the next start)
    public func launch(_ arguments: [String], log logName: String, runID: String? = nil, store: TrainingStore? = nil) throws -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: executable])
        }
        let dataDirectory = URL(fileURLWithPath: database).deletingLastPathComponent()
        let log = dataDirectory.appendingPathComponent(logName)
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let command = [executable, "train"] + arguments + (configPath.map { ["--config", $0] } ?? []) + ["--db", database]
        // Started at nice 10 through nice(1) where it exists, so every thread of the child
        // (BLAS workers included) starts low; the child lowers itself as well.
        let launched = FileManager.default.isExecutableFile(atPath: Self.nice) ? [Self.nice, "-n", "10"] + command : command
        var environment = environment
        environment["RETORT_STUDENT_MODEL"] = baseModel
        let onExit: @Sendable (ChildProcess) -> Void = { child in
            if let runID, let store { Self.failIfUnfinished(runID: runID, store: store, child: child, log: logName) }
            ChildProcesses.shared.forget(child)
        }
        let child = try ChildProcesses.shared.spawn {
            try ChildProcess(executable: launched[0], arguments: Array(launched.dropFirst()), environment: environment,
                             output: output, onExit: onExit)
        }
        return child.pid
    }
}

extension TrainingLauncher {
    /// Creates a queued run of `settings` and starts its process; a spawn failure fails the run.
    /// - Throws: ``DistillError/runActive(id:status:)`` while another run is queued or running
    ///   (claimed atomically: of two racing requests one gets the run, the other this error);
    ///   ``DistillError/launchFailed(executable:reason:)``.
    public func start(_ settings: TrainingSettings, store: TrainingStore) throws -> TrainingRun {
        guard let run = try store.claimRun(kind: settings.kind.rawValue, config: settings.json, baseVersion: settings.from) else {
            let active = try store.runs(limit: 20).first(where: \.status.isActive)
            throw DistillError.runActive(id: active?.id ?? "", status: active?.status.rawValue ?? "active")
        }
        do {
            _ = try launch([settings.kind.rawValue, "--run-id", run.id], log: "runs/\(run.id)/train.log", runID: run.id, store: store)
        } catch {
            try store.failRun(id: run.id, error: "could not start \(executable): \(error)")
            throw DistillError.launchFailed(executable: executable, reason: "\(error)")
        }
        return run
    }
}

extension TrainingLauncher {
    /// Sends SIGTERM to every training child this process started (the gateway shutting
    /// down). Their runs stay `running` and are resumed from their last checkpoint at the
    /// next start (``TrainingScheduler/resumeInterrupted()``).
    public static func stopChildren() {
        ChildProcesses.shared.stopAll()
    }

    /// The exit watch of a run's child: a run still queued or running when its process is
    /// gone is failed, with how the process ended.
    static func failIfUnfinished(runID: String, store: TrainingStore, child: ChildProcess, log: String) {
        guard !ChildProcesses.shared.wasStopped(child), let run = try? store.run(id: runID), run.status.isActive else { return }
        let how = child.terminatingSignal.map { "was killed by signal \($0)\($0 == SIGKILL ? " (out of memory?)" : "")" }
            ?? "exited with status \(child.exitStatus ?? -1)"
        try? store.failRun(id: runID, error: "the training process \(how) before the run finished; its output is in \(log)")
    }
}

/// The training children this process started and has not reaped yet, and the ones
/// ``stopAll()`` told to stop.
final class ChildProcesses: @unchecked Sendable {
    // @unchecked: `running` and `stopped` are guarded by `lock`.
    static let shared = ChildProcesses()
    private let lock = NSLock()
    private var running: [pid_t: ChildProcess] = [:]
    private var stopped: Set<pid_t> = []

    /// Whether ``stopAll()`` told `child` to stop.
    func wasStopped(_ child: ChildProcess) -> Bool {
        lock.withLock { stopped.contains(child.pid) }
    }

    /// Spawns a child under the lock, so its exit (which may come at once) finds it kept.
    func spawn(_ start: () throws -> ChildProcess) throws -> ChildProcess {
        try lock.withLock {
            let child = try start()
            if child.isRunning { running[child.pid] = child }
            return child
        }
    }

    func forget(_ child: ChildProcess) {
        lock.withLock {
            running.removeValue(forKey: child.pid)
            stopped.remove(child.pid)
        }
    }

    /// Sends SIGTERM to every running child.
    func stopAll() {
        let children = lock.withLock {
            stopped.formUnion(running.keys)
            return Array(running.values)
        }
        for child in children { child.terminate() }
    }
}
