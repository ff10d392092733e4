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
    public func due(_ o: Observation) -> TrainingSettings.Kind? {
        guard settings.auto, !o.runActive else { return nil }
        if isDue(last: o.lastSFT, eligible: o.eligibleExchanges, threshold: settings.minNewExchanges, now: o.now) { return .sft }
        if isDue(last: o.lastDPO, eligible: o.eligiblePairs, threshold: settings.minNewPairs, now: o.now) { return .dpo }
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

