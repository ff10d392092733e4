import Corpus
import Foundation

extension TrainingJob {
    /// A job for a new run of `settings`, or for the queued run `runID` (the gateway created
    /// it and started this process for it).
    /// - Throws: ``DistillError/invalidTrainingSettings(_:)`` for an unknown run id or
    ///   unusable settings; storage errors.
    public static func start(settings: TrainingSettings, runID: String?, reader: SQLiteCorpus, database: String,
                             baseModelPath: String) throws -> TrainingJob {
        let store = TrainingStore(reader: reader)
        let run: TrainingRun
        if let runID {
            guard let existing = try store.run(id: runID) else { throw DistillError.invalidTrainingSettings("no training run \(runID)") }
            run = existing
        } else {
            run = try store.createRun(kind: settings.kind.rawValue, config: settings.json, baseVersion: settings.from)
        }
        return try job(for: run, reader: reader, database: database, baseModelPath: baseModelPath)
    }

    /// A job that resumes run `runID` from its last checkpoint: only a queued run, or a
    /// running one whose process is gone.
    public static func resume(runID: String, reader: SQLiteCorpus, database: String,
                              baseModelPath: String) throws -> TrainingJob {
        guard let run = try TrainingStore(reader: reader).run(id: runID) else {
            throw DistillError.invalidTrainingSettings("no training run \(runID)")
        }
        guard run.status == .running || run.status == .queued else {
            throw DistillError.invalidTrainingSettings("run \(runID) is \(run.status.rawValue); only queued or interrupted runs resume")
        }
        if let pid = run.pid, pid != Int(getpid()), kill(pid_t(pid), 0) == 0 {
            throw DistillError.runActive(id: runID, status: "still training in process \(pid)")
        }
        return try job(for: run, reader: reader, database: database, baseModelPath: baseModelPath)
    }

    /// The job of `run`; unusable stored settings fail the run.
    private static func job(for run: TrainingRun, reader: SQLiteCorpus, database: String,
                            baseModelPath: String) throws -> TrainingJob {
        do {
            return try TrainingJob(reader: reader, database: database, run: run, baseModelPath: baseModelPath)
        } catch {
            try TrainingStore(reader: reader).failRun(id: run.id, error: "\(error)")
            throw error
        }
    }
}
