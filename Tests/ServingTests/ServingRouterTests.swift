import Serving
import Testing

@Suite struct ServingRouterTests {
    static let capabilities = StudentCapabilities(contextLength: 1_000)
    static let noDraws = RoutingDraws(exploration: 0.99, shadow: 0.99)

    static func router(exploration: Double = 0, streamCheck: Int? = nil, shadowRate: Double = 0.5) throws -> ServingRouter {
        let configuration = try RouterConfiguration(
            explorationRate: exploration, streamCheckTokens: streamCheck,
            shadow: ShadowSampler(sampleRate: shadowRate, queueLimit: 3))
        return ServingRouter(configuration: configuration, capabilities: capabilities)
    }

    static func state(_ mode: ServingMode, percent: Double = 0) throws -> RouteServingState {
        try RouteServingState(route: "r", mode: mode, canaryPercent: percent, student: "v1")
    }

    func decide(
        _ request: RequestFeatures = RequestFeatures(), mode: ServingMode = .student, percent: Double = 0,
        student: StudentStatus = StudentStatus(), draws: RoutingDraws = noDraws,
        router: ServingRouter? = nil
    ) throws -> RoutingDecision {
        try (router ?? Self.router()).route(
            request, state: Self.state(mode, percent: percent), key: .user("alice"), student: student, draws: draws)
    }

    @Test func teacherModeAlwaysGoesToTheTeacher() throws {
        #expect(try decide(mode: .teacher) == .teacher(.modeTeacher))
        #expect(try decide(mode: .teacher).shadow == nil)
    }

    @Test func shadowModeServesTheTeacherAndSamples() throws {
        let sampled = try decide(mode: .shadow, draws: RoutingDraws(exploration: 0, shadow: 0.1))
        #expect(sampled.teacherReason == .modeShadow && sampled.shadow == .run && sampled.runsShadow)
        let skipped = try decide(mode: .shadow, draws: RoutingDraws(exploration: 0, shadow: 0.6))
        #expect(skipped.shadow == .notSampled && !skipped.runsShadow)
        let busy = try decide(mode: .shadow, student: StudentStatus(queueDepth: 3), draws: RoutingDraws(exploration: 0, shadow: 0.1))
        #expect(busy.shadow == .droppedOverloaded)
    }

    @Test func shadowSkipsRequestsTheStudentCannotTake() throws {
        let draws = RoutingDraws(exploration: 0, shadow: 0)
        #expect(try decide(RequestFeatures(hasTools: true), mode: .shadow, draws: draws).shadow == nil)
        #expect(try decide(mode: .shadow, student: StudentStatus(isAvailable: false), draws: draws).shadow == nil)
    }

    @Test func canaryAtZeroAndHundred() throws {
        // 0 < percent is enforced by the state; 0.01% takes alice only if her bucket is 0.
        #expect(try decide(mode: .canary, percent: 100).server == .student(AnswerCheckPlan()))
        let bucket = CanaryAssignment.bucket(for: .user("alice"), route: "r")
        let justBelow = Double(bucket) / 100
        if justBelow > 0 {
            #expect(try decide(mode: .canary, percent: justBelow).teacherReason == .notInCanary)
            // Outside the canary the teacher's answers are shadowed as in shadow mode.
            let sampled = try decide(mode: .canary, percent: justBelow, draws: RoutingDraws(exploration: 0.99, shadow: 0.1))
            #expect(sampled.teacherReason == .notInCanary && sampled.shadow == .run)
        }
        #expect(try decide(mode: .canary, percent: Double(bucket + 1) / 100).teacherReason == nil)
    }

    @Test func studentModeServesAPlainRequest() throws {
        let decision = try decide()
        #expect(decision.server == .student(AnswerCheckPlan(requireJSON: false, bufferTokens: nil)))
        #expect(decision.teacherReason == nil && decision.shadow == nil)
    }

    @Test func jsonAndStreamsShapeTheCheckPlan() throws {
        let router = try Self.router(streamCheck: 32)
        let json = try decide(RequestFeatures(wantsJSON: true, stream: true), router: router)
        #expect(json.server == .student(AnswerCheckPlan(requireJSON: true, bufferTokens: 32)))
        let plain = try decide(RequestFeatures(stream: false), router: router)
        #expect(plain.server == .student(AnswerCheckPlan(requireJSON: false, bufferTokens: nil)))
    }

    @Test(arguments: [
        (RequestFeatures(hasTools: true), FallbackReason.unsupportedTools),
        (RequestFeatures(hasNonTextContent: true), .unsupportedContent),
        (RequestFeatures(choices: 2), .unsupportedParameter),
        (RequestFeatures(parameters: ["logit_bias"]), .unsupportedParameter),
        (RequestFeatures(promptTokens: 990), .contextExceeded),
        (RequestFeatures(promptTokens: 900, maxTokens: 101), .contextExceeded),
    ])
    func unsupportedRequestsFallBack(request: RequestFeatures, reason: FallbackReason) throws {
        #expect(try decide(request) == .teacher(reason))
    }

    @Test func contextBoundaryIsInclusive() throws {
        #expect(try decide(RequestFeatures(promptTokens: 900, maxTokens: 100)).teacherReason == nil)
        #expect(try decide(RequestFeatures(promptTokens: 984)).teacherReason == nil)
        #expect(try decide(RequestFeatures(promptTokens: 985)) == .teacher(.contextExceeded))
    }

    @Test func supportedFeaturesStayOnTheStudent() throws {
        let capabilities = StudentCapabilities(
            contextLength: 100, supportsTools: true, supportsNonTextContent: true, maxChoices: 4, unsupportedParameters: [])
        let router = ServingRouter(configuration: try RouterConfiguration(), capabilities: capabilities)
        let request = RequestFeatures(hasTools: true, hasNonTextContent: true, choices: 4, parameters: ["logit_bias"])
        #expect(try decide(request, router: router).teacherReason == nil)
    }

    @Test func unavailableOrFullStudentFallsBack() throws {
        #expect(try decide(student: StudentStatus(isAvailable: false)) == .teacher(.studentUnavailable))
        #expect(try decide(student: StudentStatus(queueDepth: 8, queueLimit: 8)) == .teacher(.overloaded))
        #expect(try decide(student: StudentStatus(queueDepth: 7, queueLimit: 8)).teacherReason == nil)
    }

    /// Shadow runs wait in a lane of their own behind served requests: however many wait,
    /// a served request is not turned away, but more shadow work is.
    @Test func backgroundWorkNeverTurnsAServedRequestAway() throws {
        let busy = StudentStatus(queueDepth: 1, queueLimit: 8, backgroundDepth: 20)
        #expect(try decide(student: busy).teacherReason == nil)
        #expect(try decide(mode: .canary, percent: 100, student: busy).teacherReason == nil)
        #expect(try decide(mode: .shadow, student: busy, draws: RoutingDraws(exploration: 0, shadow: 0.1)).shadow == .droppedOverloaded)
        let quiet = StudentStatus(queueDepth: 1, queueLimit: 8, backgroundDepth: 1)
        #expect(try decide(mode: .shadow, student: quiet, draws: RoutingDraws(exploration: 0, shadow: 0.1)).shadow == .run)
    }

    @Test func explorationKeepsASlotOnTheTeacher() throws {
        let router = try Self.router(exploration: 0.1)
        let explored = try decide(draws: RoutingDraws(exploration: 0.05, shadow: 0.99), router: router)
        #expect(explored.teacherReason == .exploration)
        #expect(try decide(draws: RoutingDraws(exploration: 0.1, shadow: 0), router: router).teacherReason == nil)
    }

    @Test func explorationRunsTheStudentInTheBackgroundWhenItCan() throws {
        let router = try Self.router(exploration: 1)
        #expect(try decide(router: router).shadow == .run)
        #expect(try decide(student: StudentStatus(queueDepth: 3), router: router).shadow == .droppedOverloaded)
        #expect(try decide(RequestFeatures(hasTools: true), router: router).shadow == nil)
        #expect(try decide(student: StudentStatus(isAvailable: false), router: router).shadow == nil)
        let silent = try Self.router(exploration: 1, shadowRate: 0)
        #expect(try decide(router: silent).shadow == .notSampled)
    }

    @Test func policyReasonsComeBeforeFitness() throws {
        let tools = RequestFeatures(hasTools: true)
        let bucket = CanaryAssignment.bucket(for: .user("alice"), route: "r")
        if bucket > 0 {
            #expect(try decide(tools, mode: .canary, percent: Double(bucket) / 100) == .teacher(.notInCanary))
        }
        #expect(try decide(tools, mode: .teacher) == .teacher(.modeTeacher))
    }

    @Test func seededRoutingIsReproducible() throws {
        let router = try Self.router(exploration: 0.2)
        let state = try Self.state(.student)
        func run(seed: UInt64) -> [RoutingDecision] {
            var generator = SplitMix64(seed: seed)
            return (0..<500).map { _ in
                router.route(RequestFeatures(), state: state, key: .user("u"), student: StudentStatus(), using: &generator)
            }
        }
        let decisions = run(seed: 3)
        #expect(decisions == run(seed: 3))
        let explored = decisions.filter { $0.teacherReason == .exploration }.count
        #expect((60...140).contains(explored))
    }

    @Test func reasonFamilies() {
        #expect(!FallbackReason.notInCanary.isFallback && !FallbackReason.modeShadow.isFallback)
        #expect(FallbackReason.unsupportedTools.isFallback && !FallbackReason.unsupportedTools.isStudentFailure)
        #expect(FallbackReason.lowConfidence.isFallback && FallbackReason.lowConfidence.isStudentFailure)
        #expect(FallbackReason.finishLength.rawValue == "finish_length")
        #expect(Set(FallbackReason.allCases.map(\.rawValue)).count == FallbackReason.allCases.count)
    }

    @Test func rejectsBadRouterSettings() {
        #expect(throws: ServingError.self) { try RouterConfiguration(explorationRate: 1.5) }
        #expect(throws: ServingError.self) { try RouterConfiguration(streamCheckTokens: 0) }
    }
}
