import Corpus
import Foundation
import Serving

/// The timer in `retort serve`: at start it resumes runs whose process died; then, when
/// `training.auto` is on, it checks ``AutoTrainingPolicy`` every `check_seconds` and
/// starts a run. Every failure is reported (``OperatorErrors``), never swallowed.
public final class TrainingScheduler: Sendable {
    let settings: TrainingScheduleSettings
    let reader: SQLiteCorpus
    let launcher: TrainingLauncher
    let errors: OperatorErrors
    let clock: any WallClock

    /// A scheduler of runs over the corpus `reader`, started by `launcher`.
    public init(settings: TrainingScheduleSettings, reader: SQLiteCorpus, launcher: TrainingLauncher,
                metrics: any MetricsRecorder, clock: any WallClock = SystemWallClock()) {
        self.settings = settings
        self.reader = reader
        self.launcher = launcher
        errors = OperatorErrors(metrics: metrics)
        self.clock = clock
    }

    /// Starts the checks in a background task; returns it (cancel to stop).
    @discardableResult
    public func start() -> Task<Void, Never> {
        let interval = max(1, settings.checkSeconds)
        return Task.detached { [self] in
            resumeInterrupted()
            while !Task.isCancelled, settings.auto {
                try? await Task.sleep(for: .seconds(interval))
                errors.attempt("auto_training", "checking whether a training run is due") { try check() }
            }
        }
    }

    /// Resumes every `running` run whose process is gone, and every run queued for over a
    /// minute that never started (the gateway stopped before spawning it); returns their ids.
    @discardableResult
    public func resumeInterrupted() -> [String] {
        let store = TrainingStore(reader: reader)
        guard let running = errors.attempt("resume_training", "reading running runs", { try store.runs(status: .running) }),
              let queued = errors.attempt("resume_training", "reading queued runs", { try store.runs(status: .queued) })
        else { return [] }
        let dead = running.filter { run in run.pid.map { kill(pid_t($0), 0) != 0 } ?? true }
        let stale = queued.filter { $0.pid == nil && $0.createdAt < clock.now() - 60 }
        return (dead + stale).compactMap { run in
            errors.attempt("resume_training", "restarting run \(run.id)") {
                _ = try launcher.launch(["resume", run.id], log: "runs/\(run.id)/train.log", runID: run.id, store: store)
                return run.id
            }
        }
    }

    /// One check: starts and returns the run the policy finds due, if any.
    @discardableResult
    public func check() throws -> TrainingRun? {
        let store = TrainingStore(reader: reader)
        let counts = try TrainingDataReader(reader: reader).eligibleCounts()
        let recent = try store.runs(limit: 50)
        func last(_ kind: TrainingSettings.Kind, _ key: String) -> AutoTrainingPolicy.LastRun? {
            recent.first { $0.kind == kind.rawValue }.map {
                .init(createdAt: $0.createdAt, failed: $0.status == .failed,
                      eligibleAtSnapshot: $0.dataSnapshot?[key]?.intValue ?? 0)
            }
        }
        let observation = AutoTrainingPolicy.Observation(
            now: clock.now(), eligibleExchanges: counts.exchanges, eligiblePairs: counts.pairs,
            runActive: recent.contains(where: \.status.isActive),
            lastSFT: last(.sft, "eligible_exchanges"), lastDPO: last(.dpo, "eligible_pairs"))
        guard let kind = AutoTrainingPolicy(settings: settings).due(observation) else { return nil }
        var run = TrainingSettings(kind: kind)
        run.lora = settings.lora
        run.epochs = settings.epochs
        return try launcher.start(run, store: store)
    }
}
