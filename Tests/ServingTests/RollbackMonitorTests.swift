import Serving
import Testing

@Suite struct RollbackMonitorTests {
    static func configuration() -> RollbackConfiguration {
        var configuration = RollbackConfiguration()
        configuration.windowSize = 100
        configuration.windowSeconds = 600
        configuration.minimumRatings = 10
        configuration.maximumDownRate = 0.3
        configuration.minimumRequests = 20
        configuration.maximumFallbackRate = 0.5
        configuration.minimumJudged = 10
        configuration.minimumJudgedWinRate = 0.4
        configuration.cooldownSeconds = 300
        return configuration
    }

    static func serving() throws -> RouteServingState {
        try RouteServingState(route: "r", mode: .student, student: "v2", previousStudent: "v1")
    }

    func rate(_ monitor: inout RollbackMonitor, up: Int, down: Int, student: String = "v2", at time: Double = 0) {
        for _ in 0..<up { monitor.recordRating(.up, student: student, at: time) }
        for _ in 0..<down { monitor.recordRating(.down, student: student, at: time) }
    }

    @Test func anEmptyWindowNeverRollsBack() throws {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        var state = try Self.serving()
        #expect(monitor.trigger(at: 0) == nil)
        #expect(monitor.check(&state, at: 0) == nil)
    }

    @Test func downRateAtTheThresholdHolds() throws {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        rate(&monitor, up: 7, down: 3)
        #expect(monitor.trigger(at: 1) == nil, "0.3 is not above 0.3")
        rate(&monitor, up: 0, down: 1)
        #expect(monitor.trigger(at: 1)?.reason == .ratingsDropped)
        #expect(monitor.trigger(at: 1)?.note == "down rate 0.364 > 0.300 over 11 ratings")
    }

    @Test func tooFewRatingsHold() {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        rate(&monitor, up: 0, down: 9)
        #expect(monitor.trigger(at: 1) == nil)
    }

    @Test func rollsBackToThePreviousStudentThenToTheTeacher() throws {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        var state = try Self.serving()
        rate(&monitor, up: 2, down: 8)
        let event = try #require(monitor.check(&state, at: 10))
        #expect(event.reason == .ratingsDropped && event.actor == .automatic && event.time == 10)
        #expect(event.from.student == "v2" && state.student == "v1" && state.mode == .student)
        #expect(monitor.summary(at: 10).ratings.count == 0, "the window starts over")

        rate(&monitor, up: 0, down: 10, student: "v1", at: 20)
        #expect(monitor.check(&state, at: 20) == nil, "cooldown")
        #expect(monitor.check(&state, at: 309) == nil, "still cooling down")
        let second = try #require(monitor.check(&state, at: 310))
        #expect(state.mode == .teacher && second.to.mode == .teacher)
        #expect(monitor.check(&state, at: 1_000) == nil)
    }

    @Test func oldOutcomesLeaveTheWindow() throws {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        var state = try Self.serving()
        rate(&monitor, up: 0, down: 10, at: 0)
        #expect(monitor.trigger(at: 599) != nil)
        #expect(monitor.check(&state, at: 600) == nil, "ten minutes later they are gone")
        #expect(state.student == "v2")
    }

    @Test func fallbackRateTriggers() throws {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        for index in 0..<20 { monitor.recordRequest(student: "v2", fellBack: index < 10, at: 1) }
        #expect(monitor.trigger(at: 1) == nil, "exactly half is not above half")
        monitor.recordRequest(student: "v2", fellBack: true, at: 2)
        #expect(monitor.trigger(at: 2)?.reason == .fallbackRateHigh)
    }

    @Test func judgedWinRateTriggers() {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        for _ in 0..<4 { monitor.recordJudgment(.win, student: "v2", at: 0) }
        for _ in 0..<6 { monitor.recordJudgment(.loss, student: "v2", at: 0) }
        #expect(monitor.trigger(at: 0) == nil, "0.4 is the threshold itself")
        monitor.recordJudgment(.loss, student: "v2", at: 0)
        #expect(monitor.trigger(at: 0)?.reason == .judgedWinRateLow)
    }

    @Test func ratingsTakePrecedence() {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        rate(&monitor, up: 0, down: 10)
        for _ in 0..<30 { monitor.recordRequest(student: "v2", fellBack: true, at: 0) }
        #expect(monitor.trigger(at: 0)?.reason == .ratingsDropped)
    }

    @Test func aNewStudentVersionStartsAFreshWindow() throws {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        rate(&monitor, up: 0, down: 10, student: "v2")
        monitor.recordRequest(student: "v3", fellBack: false, at: 1)
        #expect(monitor.student == "v3" && monitor.summary(at: 1).ratings.count == 0)
        var state = try Self.serving()
        rate(&monitor, up: 0, down: 10, student: "v3")
        #expect(monitor.check(&state, at: 2) == nil, "the route serves v2, not the watched v3")
    }

    @Test func onlyServingModesRollBack() throws {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        rate(&monitor, up: 0, down: 10)
        var shadow = try RouteServingState(route: "r", mode: .shadow, student: "v2")
        #expect(monitor.check(&shadow, at: 1) == nil)
        var canary = try RouteServingState(route: "r", mode: .canary, canaryPercent: 10, student: "v2")
        #expect(monitor.check(&canary, at: 1)?.to.mode == .teacher)
    }

    @Test func resetForgetsOutcomes() {
        var monitor = RollbackMonitor(configuration: Self.configuration())
        rate(&monitor, up: 0, down: 10)
        monitor.reset()
        #expect(monitor.trigger(at: 0) == nil)
    }
}
