import Serving
import Testing

@Suite struct RouteServingStateTests {
    @Test func startsWithTheTeacherAndNoStudent() {
        let state = RouteServingState(route: "support")
        #expect(state.mode == .teacher)
        #expect(state.canaryPercent == 0)
        #expect(state.student == nil)
        #expect(state.previousStudent == nil)
        #expect(state.rollbackTarget == .teacher)
    }

    @Test func shadowNeedsAStudent() {
        var state = RouteServingState(route: "support")
        #expect(throws: ServingError.missingStudent(.shadow)) { try state.set(mode: .shadow, at: 1) }
        #expect(throws: ServingError.missingStudent(.student)) { try state.set(mode: .student, at: 1) }
        #expect(throws: ServingError.missingStudent(.canary)) { try state.set(mode: .canary, percent: 5, at: 1) }
        #expect(state == RouteServingState(route: "support"))
    }

    @Test func recordsAnEventWithBothStates() throws {
        var state = RouteServingState(route: "support")
        let event = try state.set(mode: .shadow, student: "v1", at: 42, note: "first")
        #expect(event.from == RouteServingState(route: "support"))
        #expect(event.to == state)
        #expect(event.to.mode == .shadow && event.to.student == "v1")
        #expect(event.reason == .manual && event.actor == .manual)
        #expect(event.time == 42 && event.note == "first" && event.route == "support")
    }

    @Test(arguments: [0.0, -1, 100.5, .nan, .infinity])
    func canaryRejectsPercentOutsideTheRange(percent: Double) throws {
        var state = try RouteServingState(route: "r", mode: .shadow, student: "v1")
        #expect(throws: ServingError.self) { try state.set(mode: .canary, percent: percent, at: 1) }
        #expect(state.mode == .shadow)
    }

    @Test(arguments: [0.01, 5, 100])
    func canaryAcceptsPercentInTheRange(percent: Double) throws {
        var state = try RouteServingState(route: "r", mode: .shadow, student: "v1")
        try state.set(mode: .canary, percent: percent, at: 1)
        #expect(state.canaryPercent == percent)
    }

    @Test func canaryNeedsAPercentUnlessAlreadyCanary() throws {
        var state = try RouteServingState(route: "r", mode: .shadow, student: "v1")
        #expect(throws: ServingError.invalidPercent(0)) { try state.set(mode: .canary, at: 1) }
        try state.set(mode: .canary, percent: 10, at: 1)
        try state.set(mode: .canary, student: "v2", at: 2)
        #expect(state.canaryPercent == 10 && state.student == "v2")
    }

    @Test func percentOnlyAppliesToCanary() throws {
        var state = try RouteServingState(route: "r", mode: .shadow, student: "v1")
        #expect(throws: ServingError.percentNotApplicable(.student)) {
            try state.set(mode: .student, percent: 50, at: 1)
        }
        #expect(throws: ServingError.percentNotApplicable(.teacher)) {
            try RouteServingState(route: "r", mode: .teacher, canaryPercent: 3)
        }
    }

    @Test func leavingCanaryClearsThePercent() throws {
        var state = try RouteServingState(route: "r", mode: .canary, canaryPercent: 20, student: "v1")
        try state.set(mode: .student, at: 1)
        #expect(state.canaryPercent == 0)
    }

    @Test func rejectsAnEmptyStudentVersion() {
        var state = RouteServingState(route: "r")
        #expect(throws: ServingError.emptyStudentVersion) { try state.set(mode: .shadow, student: "  ", at: 1) }
    }

    @Test func aNewStudentPushesTheOldOneToPrevious() throws {
        var state = try RouteServingState(route: "r", mode: .student, student: "v1")
        try state.set(mode: .shadow, student: "v2", reason: .gatePassed, actor: .automatic, at: 5)
        #expect(state.student == "v2" && state.previousStudent == "v1")
        try state.set(mode: .shadow, student: "v2", at: 6)
        #expect(state.previousStudent == "v1", "the same version again is not a new student")
    }

    @Test func teacherModeKeepsTheStudentForLater() throws {
        var state = try RouteServingState(route: "r", mode: .student, student: "v1")
        try state.set(mode: .teacher, at: 1)
        #expect(state.student == "v1")
        try state.set(mode: .shadow, at: 2)
        #expect(state.mode == .shadow)
    }

    @Test func rollbackToThePreviousStudentKeepsTheMode() throws {
        var state = try RouteServingState(route: "r", mode: .student, student: "v2", previousStudent: "v1")
        #expect(state.rollbackTarget == .previousStudent("v1"))
        let event = try state.rollBack(to: state.rollbackTarget, reason: .ratingsDropped, at: 9)
        #expect(state.mode == .student && state.student == "v1" && state.previousStudent == nil)
        #expect(event.from.student == "v2" && event.actor == .automatic && event.reason == .ratingsDropped)
        #expect(state.rollbackTarget == .teacher)
    }

    @Test func rollbackToTheTeacher() throws {
        var state = try RouteServingState(route: "r", mode: .canary, canaryPercent: 10, student: "v1")
        try state.rollBack(to: .teacher, reason: .fallbackRateHigh, at: 3)
        #expect(state.mode == .teacher && state.canaryPercent == 0 && state.student == "v1")
    }

    @Test func rollbackToAnUnknownPreviousStudentThrows() throws {
        var state = try RouteServingState(route: "r", mode: .student, student: "v2", previousStudent: "v1")
        #expect(throws: ServingError.noPreviousStudent) {
            try state.rollBack(to: .previousStudent("v0"), reason: .manual, at: 1)
        }
    }

    @Test func reasonsHaveStableRawValues() {
        #expect(ServingChangeReason.fallbackRateHigh.rawValue == "fallback_rate_high")
        #expect(ServingChangeReason(rawValue: "gate_passed") == .gatePassed)
        #expect(ServingActor.automatic.rawValue == "automatic")
    }

    @Test func errorsDescribeThemselves() {
        #expect(ServingError.invalidPercent(120).description.contains("120"))
        #expect(ServingError.missingStudent(.canary).description.contains("canary"))
    }
}
