import ChatAPI
import Corpus
import Foundation

/// When the gateway starts a training run on its own (a pure decision; the clock and the
/// corpus counts are given). An SFT run is due when `min_new_exchanges` curated train
/// exchanges arrived since the last SFT run's snapshot, or `interval_hours` passed since
/// that run and any new exchange arrived; DPO likewise with preference pairs. Nothing
/// starts while a run is queued or running, and a failed kind waits a whole interval
/// before it is tried again.
public struct AutoTrainingPolicy: Sendable {
    /// The schedule's settings.
    public var settings: TrainingScheduleSettings

    /// What the policy looks at.
    public struct Observation: Sendable, Equatable {
        /// Unix seconds.
        public var now: Double
        /// Curated train exchanges and preference pairs now.
        public var eligibleExchanges: Int, eligiblePairs: Int
        /// Whether a run is queued or running.
        public var runActive: Bool
        /// The latest SFT and DPO runs: when they were created, whether they failed, and the
        /// eligible count in their data snapshot (0 when they have none).
        public var lastSFT: LastRun?, lastDPO: LastRun?

        /// An observation.
        public init(now: Double, eligibleExchanges: Int, eligiblePairs: Int, runActive: Bool,
                    lastSFT: LastRun? = nil, lastDPO: LastRun? = nil) {
            self.now = now
            self.eligibleExchanges = eligibleExchanges
            self.eligiblePairs = eligiblePairs
            self.runActive = runActive
            self.lastSFT = lastSFT
            self.lastDPO = lastDPO
        }
    }

    /// The part of a previous run the policy needs.
    public struct LastRun: Sendable, Equatable {
        /// Unix seconds.
        public var createdAt: Double
        /// Whether it failed.
        public var failed: Bool
        /// The eligible count in its snapshot.
        public var eligibleAtSnapshot: Int

        /// A previous run.
        public init(createdAt: Double, failed: Bool, eligibleAtSnapshot: Int) {
            self.createdAt = createdAt
            self.failed = failed
            self.eligibleAtSnapshot = eligibleAtSnapshot
        }
    }

    /// A policy with `settings`.
    public init(settings: TrainingScheduleSettings) { self.settings = settings }

    /// The kind of run to start now (`sft` before `dpo`), or nil.
    public func due(_ o: Observation) -> String? {
        guard settings.auto, !o.runActive else { return nil }
        if isDue(last: o.lastSFT, eligible: o.eligibleExchanges, threshold: settings.minNewExchanges, now: o.now) { return "sft" }
        if isDue(last: o.lastDPO, eligible: o.eligiblePairs, threshold: settings.minNewPairs, now: o.now) { return "dpo" }
        return nil
    }

    private func isDue(last: LastRun?, eligible: Int, threshold: Int, now: Double) -> Bool {
        let fresh = eligible - (last?.eligibleAtSnapshot ?? 0)
        guard fresh > 0 else { return false }
        guard let last else { return fresh >= threshold }
        let intervalPassed = now - last.createdAt >= settings.intervalHours * 3600
        if last.failed { return intervalPassed }
        return fresh >= threshold || intervalPassed
    }
}

/// The timer in `retort serve`: at start it resumes runs whose process died; then, when
/// `training.auto` is on, it checks the policy every `check_seconds` and spawns a run.
public final class TrainingScheduler: Sendable {
    let services: GatewayServices
    let launcher: TrainingLauncher

    /// A scheduler over `services`' corpus and configuration.
    public init(services: GatewayServices) {
        self.services = services
        launcher = TrainingLauncher(configuration: services.configuration)
    }

    /// Starts the checks in a background task; returns it (cancel to stop).
    @discardableResult
    public func start() -> Task<Void, Never> {
        let interval = max(1, services.configuration.training.checkSeconds)
        return Task.detached { [self] in
            resumeInterrupted()
            while !Task.isCancelled, services.configuration.training.auto {
                try? await Task.sleep(for: .seconds(interval))
                _ = try? check()
            }
        }
    }

    /// Resumes every `running` run whose process is gone, and every run queued for over a
    /// minute that never started (the gateway stopped before spawning it); returns their ids.
    @discardableResult
    public func resumeInterrupted(now: Date = Date()) -> [String] {
        let store = TrainingStore(reader: services.reader)
        guard let running = try? store.runs(status: .running), let queued = try? store.runs(status: .queued) else { return [] }
        let dead = running.filter { run in run.pid.map { kill(pid_t($0), 0) != 0 } ?? true }
        let stale = queued.filter { $0.pid == nil && $0.createdAt < now.timeIntervalSince1970 - 60 }
        return (dead + stale).compactMap { run in
            (try? launcher.launch(["resume", run.id], log: "runs/\(run.id)/train.log")).map { _ in run.id }
        }
    }

    /// One check: starts and returns the run the policy finds due, if any.
    @discardableResult
    public func check(now: Date = Date()) throws -> TrainingRun? {
        let store = TrainingStore(reader: services.reader)
        let counts = try TrainingDataReader(reader: services.reader).eligibleCounts()
        let recent = try store.runs(limit: 50)
        func last(_ kind: String, _ key: String) -> AutoTrainingPolicy.LastRun? {
            recent.first { $0.kind == kind }.map {
                .init(createdAt: $0.createdAt, failed: $0.status == .failed,
                      eligibleAtSnapshot: $0.dataSnapshot?[key]?.intValue ?? 0)
            }
        }
        let observation = AutoTrainingPolicy.Observation(
            now: now.timeIntervalSince1970, eligibleExchanges: counts.exchanges, eligiblePairs: counts.pairs,
            runActive: recent.contains(where: \.status.isActive),
            lastSFT: last("sft", "eligible_exchanges"), lastDPO: last("dpo", "eligible_pairs"))
        guard let kind = AutoTrainingPolicy(settings: services.configuration.training).due(observation) else { return nil }
        let settings = services.configuration.training
        let config: JSONValue = .object([("kind", .string(kind)), ("lora", .bool(settings.lora)), ("epochs", .int(settings.epochs))])
        return try AdminTrainingController.start(config: config, services: services, launcher: launcher)
    }
}
