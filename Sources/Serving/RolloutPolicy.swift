/// Automatic promotion settings.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `canaryPercent` | `Double` | `10` | the canary share after shadow, in percent |
/// | `minimumShadowSeconds` | `Double` | `3600` | least time in shadow |
/// | `minimumShadowJudged` | `Int` | `50` | shadow answers judged against the teacher's before the canary |
/// | `minimumCanarySeconds` | `Double` | `3600` | least time in canary |
/// | `minimumCanaryRatings` | `Int` | `30` | ratings needed for the student and for the teacher during the canary (0: compared only once both have some) |
/// | `ratingMargin` | `Double` | `0.02` | the student's up-rate may trail the teacher's by this much |
/// | `minimumCanaryJudged` | `Int` | `0` | judgments needed during the canary (0: ratings alone decide) |
/// | `judgeMargin` | `Double` | `0.05` | judged win rate must be ≥ 0.5 − margin (shadow and canary) |
public struct RolloutConfiguration: Sendable, Hashable, Codable {
    /// The canary share after shadow, in percent.
    public var canaryPercent: Double = 10
    /// Least time in shadow, in seconds.
    public var minimumShadowSeconds: Double = 3600
    /// Judged shadow answers needed before the canary.
    public var minimumShadowJudged: Int = 50
    /// Least time in canary, in seconds.
    public var minimumCanarySeconds: Double = 3600
    /// Ratings needed on each side during the canary.
    public var minimumCanaryRatings: Int = 30
    /// How far the student's up-rate may trail the teacher's.
    public var ratingMargin: Double = 0.02
    /// Judgments needed during the canary; 0 lets ratings alone decide.
    public var minimumCanaryJudged: Int = 0
    /// Tolerance below parity for judged win rates.
    public var judgeMargin: Double = 0.05

    /// The documented defaults.
    public init() {}
}

/// What the rollout policy knows about the route's current stage.
public struct RolloutEvidence: Sendable, Hashable, Codable {
    /// Whether the serving student passed the quality gate.
    public var gatePassed: Bool
    /// When the route entered its current mode (from the last serving event).
    public var modeSince: Double
    /// Judgments of the student's answers against the teacher's in the current stage.
    public var judged: JudgedOutcomes
    /// Ratings of the student's answers in the current stage.
    public var studentRatings: RatingCounts
    /// Ratings of the teacher's answers on the same route in the same period.
    public var teacherRatings: RatingCounts

    /// Creates evidence.
    public init(
        gatePassed: Bool, modeSince: Double, judged: JudgedOutcomes = JudgedOutcomes(),
        studentRatings: RatingCounts = RatingCounts(), teacherRatings: RatingCounts = RatingCounts()
    ) {
        self.gatePassed = gatePassed
        self.modeSince = modeSince
        self.judged = judged
        self.studentRatings = studentRatings
        self.teacherRatings = teacherRatings
    }
}

/// Why the policy keeps a route where it is. Raw values are stable, for the dashboard.
public enum RolloutHold: String, Sendable, Hashable, Codable, CaseIterable {
    /// `teacher` or `student`: nothing to promote automatically.
    case nothingToPromote = "nothing_to_promote"
    /// The student has not passed the gate.
    case gateNotPassed = "gate_not_passed"
    /// The stage's minimum time has not elapsed.
    case tooSoon = "too_soon"
    /// Too few judgments.
    case tooFewJudgments = "too_few_judgments"
    /// The judged win rate is under parity minus the margin.
    case judgedWorse = "judged_worse"
    /// Too few ratings of the student or of the teacher.
    case tooFewRatings = "too_few_ratings"
    /// The student's up-rate trails the teacher's by more than the margin.
    case ratedWorse = "rated_worse"
}

/// The policy's verdict for one route.
public enum RolloutDecision: Sendable, Hashable, Codable {
    /// Stay in the current mode.
    case hold(RolloutHold)
    /// Move to `mode` (with `percent` for a canary).
    case promote(mode: ServingMode, percent: Double?, reason: ServingChangeReason)
}

/// Automatic promotion: shadow → canary at P% → student, each step only on evidence. Pure.
///
/// A new version that passes the gate enters shadow with ``admit(candidate:gate:state:at:)``,
/// from whatever mode the route is in: the safe start costs the old student's traffic while
/// the new one is watched. Rollback is ``RollbackMonitor``'s job.
public struct RolloutPolicy: Sendable, Hashable, Codable {
    /// Settings.
    public var configuration: RolloutConfiguration

    /// Creates a policy.
    public init(configuration: RolloutConfiguration = RolloutConfiguration()) {
        self.configuration = configuration
    }

    /// Puts a candidate that passed the gate into shadow; nil (no change) when it failed.
    public func admit(
        candidate: String, gate: GateResult, state: inout RouteServingState, at now: Double
    ) throws(ServingError) -> ServingEvent? {
        guard gate.passed else { return nil }
        return try state.set(mode: .shadow, student: candidate, reason: .gatePassed, actor: .automatic, at: now)
    }

    /// Decides the next step for a route in `state` at `now`.
    public func decide(state: RouteServingState, evidence: RolloutEvidence, at now: Double) -> RolloutDecision {
        switch state.mode {
        case .teacher, .student:
            return .hold(.nothingToPromote)
        case .shadow:
            if let hold = shadowHold(evidence, now: now) { return .hold(hold) }
            return .promote(mode: .canary, percent: configuration.canaryPercent, reason: .shadowPassed)
        case .canary:
            if let hold = canaryHold(evidence, now: now) { return .hold(hold) }
            return .promote(mode: .student, percent: nil, reason: .canaryPassed)
        }
    }

    /// Decides and, on a promotion, applies it to `state`.
    /// - Returns: the event to persist, or nil when the route holds.
    public func advance(
        state: inout RouteServingState, evidence: RolloutEvidence, at now: Double
    ) throws(ServingError) -> ServingEvent? {
        guard case .promote(let mode, let percent, let reason) = decide(state: state, evidence: evidence, at: now) else {
            return nil
        }
        return try state.set(mode: mode, percent: percent, reason: reason, actor: .automatic, at: now)
    }

    private func shadowHold(_ evidence: RolloutEvidence, now: Double) -> RolloutHold? {
        guard evidence.gatePassed else { return .gateNotPassed }
        guard now - evidence.modeSince >= configuration.minimumShadowSeconds else { return .tooSoon }
        return judgedHold(evidence.judged, minimum: max(configuration.minimumShadowJudged, 1))
    }

    private func canaryHold(_ evidence: RolloutEvidence, now: Double) -> RolloutHold? {
        guard evidence.gatePassed else { return .gateNotPassed }
        guard now - evidence.modeSince >= configuration.minimumCanarySeconds else { return .tooSoon }
        if configuration.minimumCanaryJudged > 0 || evidence.judged.count > 0,
            let hold = judgedHold(evidence.judged, minimum: configuration.minimumCanaryJudged)
        {
            return hold
        }
        let student = evidence.studentRatings
        let teacher = evidence.teacherRatings
        let minimum = configuration.minimumCanaryRatings
        // With no ratings required, judgments alone decide until both sides have ratings.
        if minimum == 0, student.count == 0 || teacher.count == 0 { return nil }
        guard student.count >= minimum, teacher.count >= minimum,
            let studentRate = student.upRate, let teacherRate = teacher.upRate
        else { return .tooFewRatings }
        return studentRate < teacherRate - configuration.ratingMargin - 1e-9 ? .ratedWorse : nil
    }

    private func judgedHold(_ judged: JudgedOutcomes, minimum: Int) -> RolloutHold? {
        guard judged.count >= minimum, let rate = judged.winRate else { return .tooFewJudgments }
        return rate < 0.5 - configuration.judgeMargin - 1e-9 ? .judgedWorse : nil
    }
}
