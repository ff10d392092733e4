import Serving
import Testing

@Suite struct RolloutPolicyTests {
    static let policy = RolloutPolicy()
    static let hour = 3600.0

    static func shadow() throws -> RouteServingState {
        try RouteServingState(route: "r", mode: .shadow, student: "v1")
    }

    static func canary() throws -> RouteServingState {
        try RouteServingState(route: "r", mode: .canary, canaryPercent: 10, student: "v1")
    }

    static func goodCanary(since: Double = 0) -> RolloutEvidence {
        RolloutEvidence(
            gatePassed: true, modeSince: since,
            studentRatings: RatingCounts(up: 28, down: 2), teacherRatings: RatingCounts(up: 28, down: 2))
    }

    @Test func admitsOnlyAPassingCandidateIntoShadow() throws {
        var state = RouteServingState(route: "r")
        #expect(try Self.policy.admit(candidate: "v1", gate: GateResult(failures: [.tooFewSamples(have: 1, need: 200)]), state: &state, at: 0) == nil)
        #expect(state.mode == .teacher)
        let event = try #require(try Self.policy.admit(candidate: "v1", gate: GateResult(failures: []), state: &state, at: 5))
        #expect(state.mode == .shadow && state.student == "v1")
        #expect(event.reason == .gatePassed && event.actor == .automatic)
    }

    @Test func aNewCandidateStartsInShadowEvenFromStudent() throws {
        var state = try RouteServingState(route: "r", mode: .student, student: "v1")
        _ = try Self.policy.admit(candidate: "v2", gate: GateResult(failures: []), state: &state, at: 0)
        #expect(state.mode == .shadow && state.student == "v2" && state.previousStudent == "v1")
    }

    @Test func teacherAndStudentHold() throws {
        let evidence = Self.goodCanary()
        #expect(Self.policy.decide(state: RouteServingState(route: "r"), evidence: evidence, at: 1e9) == .hold(.nothingToPromote))
        let student = try RouteServingState(route: "r", mode: .student, student: "v1")
        #expect(Self.policy.decide(state: student, evidence: evidence, at: 1e9) == .hold(.nothingToPromote))
    }

    @Test func shadowNeedsGateTimeAndJudgments() throws {
        let state = try Self.shadow()
        var evidence = RolloutEvidence(gatePassed: false, modeSince: 0, judged: JudgedOutcomes(wins: 20, ties: 20, losses: 10))
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.gateNotPassed))
        evidence.gatePassed = true
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour - 1) == .hold(.tooSoon))
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .promote(mode: .canary, percent: 10, reason: .shadowPassed))
        evidence.judged = JudgedOutcomes(wins: 20, ties: 20, losses: 9)
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.tooFewJudgments))
        evidence.judged = JudgedOutcomes(wins: 10, ties: 20, losses: 20)
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.judgedWorse))
    }

    @Test func judgedWinRateAtTheMarginPromotes() throws {
        // 45 wins, 55 losses → 0.45 = 0.5 − 0.05.
        let evidence = RolloutEvidence(gatePassed: true, modeSince: 0, judged: JudgedOutcomes(wins: 45, losses: 55))
        #expect(Self.policy.decide(state: try Self.shadow(), evidence: evidence, at: Self.hour) == .promote(mode: .canary, percent: 10, reason: .shadowPassed))
    }

    @Test func canaryPromotesWhenRatingsAreNoWorse() throws {
        var state = try Self.canary()
        let event = try #require(try Self.policy.advance(state: &state, evidence: Self.goodCanary(), at: Self.hour))
        #expect(state.mode == .student && state.canaryPercent == 0)
        #expect(event.reason == .canaryPassed && event.actor == .automatic)
    }

    @Test func canaryHoldsOnTooFewOrWorseRatings() throws {
        let state = try Self.canary()
        var evidence = Self.goodCanary()
        evidence.teacherRatings = RatingCounts(up: 29, down: 0)
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.tooFewRatings))
        evidence.studentRatings = RatingCounts(up: 27, down: 3)
        evidence.teacherRatings = RatingCounts(up: 30, down: 0)
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.ratedWorse), "0.9 vs 1.0")
        evidence.studentRatings = RatingCounts(up: 49, down: 1)
        evidence.teacherRatings = RatingCounts(up: 50, down: 0)
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .promote(mode: .student, percent: nil, reason: .canaryPassed), "0.98 is exactly 1.0 − 0.02")
    }

    @Test func canaryJudgmentsCountWhenPresentOrRequired() throws {
        let state = try Self.canary()
        var evidence = Self.goodCanary()
        evidence.judged = JudgedOutcomes(wins: 1, losses: 9)
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.judgedWorse))
        var configuration = RolloutConfiguration()
        configuration.minimumCanaryJudged = 20
        let strict = RolloutPolicy(configuration: configuration)
        evidence.judged = JudgedOutcomes(ties: 19)
        #expect(strict.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.tooFewJudgments))
    }

    @Test func withNoRatingsRequiredJudgmentsAloneDecideTheCanary() throws {
        let state = try Self.canary()
        var configuration = RolloutConfiguration()
        (configuration.minimumCanaryJudged, configuration.minimumCanaryRatings) = (20, 0)
        let judgedOnly = RolloutPolicy(configuration: configuration)
        var evidence = RolloutEvidence(gatePassed: true, modeSince: 0, judged: JudgedOutcomes(wins: 5, ties: 15))
        #expect(judgedOnly.decide(state: state, evidence: evidence, at: Self.hour) == .promote(mode: .student, percent: nil, reason: .canaryPassed))
        evidence.judged = JudgedOutcomes(wins: 2, ties: 10, losses: 8)
        #expect(judgedOnly.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.judgedWorse))
        // Ratings on both sides still count when they exist.
        evidence.judged = JudgedOutcomes(ties: 20)
        (evidence.studentRatings, evidence.teacherRatings) = (RatingCounts(up: 1, down: 3), RatingCounts(up: 4))
        #expect(judgedOnly.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.ratedWorse))
        // With the default (30 ratings each), no ratings hold the canary.
        evidence.studentRatings = RatingCounts()
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.tooFewRatings))
    }

    @Test func canaryHoldsBeforeItsTimeAndWithoutTheGate() throws {
        let state = try Self.canary()
        #expect(Self.policy.decide(state: state, evidence: Self.goodCanary(since: 100), at: Self.hour) == .hold(.tooSoon))
        var evidence = Self.goodCanary()
        evidence.gatePassed = false
        #expect(Self.policy.decide(state: state, evidence: evidence, at: Self.hour) == .hold(.gateNotPassed))
    }

    @Test func walksTheWholeWayFromTeacherToStudent() throws {
        var state = RouteServingState(route: "support")
        var events: [ServingEvent] = []
        events += [try Self.policy.admit(candidate: "v1", gate: GateResult(failures: []), state: &state, at: 0)].compactMap { $0 }
        let shadowEvidence = RolloutEvidence(gatePassed: true, modeSince: 0, judged: JudgedOutcomes(wins: 30, ties: 30))
        events += [try Self.policy.advance(state: &state, evidence: shadowEvidence, at: Self.hour)].compactMap { $0 }
        events += [try Self.policy.advance(state: &state, evidence: Self.goodCanary(since: Self.hour), at: 2 * Self.hour)].compactMap { $0 }
        #expect(events.map(\.to.mode) == [.shadow, .canary, .student])
        #expect(events.map(\.reason) == [.gatePassed, .shadowPassed, .canaryPassed])
        #expect(events[1].to.canaryPercent == 10)
        #expect(try Self.policy.advance(state: &state, evidence: Self.goodCanary(), at: 1e9) == nil)
    }
}
