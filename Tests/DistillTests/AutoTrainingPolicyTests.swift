import Distill
import Testing

@Suite struct AutoTrainingPolicyTests {
    private func policy(auto: Bool = true) -> AutoTrainingPolicy {
        var settings = TrainingScheduleSettings()
        settings.auto = auto
        settings.minNewExchanges = 100
        settings.minNewPairs = 20
        settings.intervalHours = 1
        return AutoTrainingPolicy(settings: settings)
    }

    @Test func runsStartOnEnoughNewDataOrAfterTheInterval() {
        let now = 100_000.0
        typealias Last = AutoTrainingPolicy.LastRun
        func observe(_ exchanges: Int, _ pairs: Int, active: Bool = false, sft: Last? = nil, dpo: Last? = nil)
            -> AutoTrainingPolicy.Observation {
            .init(now: now, eligibleExchanges: exchanges, eligiblePairs: pairs, runActive: active, lastSFT: sft, lastDPO: dpo)
        }
        #expect(policy().due(observe(99, 0)) == nil)
        #expect(policy().due(observe(100, 0)) == .sft)
        #expect(policy(auto: false).due(observe(500, 500)) == nil)
        #expect(policy().due(observe(500, 500, active: true)) == nil)
        let recentSFT = Last(createdAt: now - 600, failed: false, eligibleAtSnapshot: 450)
        #expect(policy().due(observe(500, 0, sft: recentSFT)) == nil)           // 50 new, 10 minutes ago
        #expect(policy().due(observe(550, 0, sft: recentSFT)) == .sft)         // 100 new
        let oldSFT = Last(createdAt: now - 7200, failed: false, eligibleAtSnapshot: 450)
        #expect(policy().due(observe(451, 0, sft: oldSFT)) == .sft)            // an hour passed, one new
        #expect(policy().due(observe(450, 0, sft: oldSFT)) == nil)              // nothing new
        let failed = Last(createdAt: now - 600, failed: true, eligibleAtSnapshot: 0)
        #expect(policy().due(observe(900, 0, sft: failed)) == nil)              // a failure waits an interval
        #expect(policy().due(observe(450, 25, sft: oldSFT.with(eligible: 450))) == .dpo)
    }
}

extension AutoTrainingPolicy.LastRun {
    fileprivate func with(eligible: Int) -> Self {
        .init(createdAt: createdAt, failed: failed, eligibleAtSnapshot: eligible)
    }
}
