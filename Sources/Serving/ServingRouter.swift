/// The uniform draws in `0..<1` one routing decision may use; explicit so tests can pin them.
public struct RoutingDraws: Sendable, Hashable {
    /// Compared with ``RouterConfiguration/explorationRate``.
    public var exploration: Double
    /// Compared with the shadow sample rate.
    public var shadow: Double

    /// Creates draws.
    public init(exploration: Double, shadow: Double) {
        self.exploration = exploration
        self.shadow = shadow
    }

    /// Two draws from `generator`, exploration first.
    public init<G: RandomNumberGenerator>(using generator: inout G) {
        exploration = generator.nextUnit()
        shadow = generator.nextUnit()
    }
}

/// Router settings.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `explorationRate` | `Double` | `0` | share of student-bound requests kept on the teacher for fresh labels (0.05–0.1 recommended once in `student` mode) |
/// | `streamCheckTokens` | `Int?` | `nil` | for streams, check the first N tokens before the head; nil waits for the whole answer |
/// | `shadow` | `ShadowSampler` | rate 0.1, queue limit 4 | shadow sampling and load shedding |
public struct RouterConfiguration: Sendable, Hashable, Codable {
    /// Share of student-bound requests kept on the teacher.
    public var explorationRate: Double
    /// Tokens of a stream checked before the response head; nil: the whole answer.
    public var streamCheckTokens: Int?
    /// Shadow sampling.
    public var shadow: ShadowSampler

    /// Creates a configuration; throws on an exploration rate outside 0…1 or a check of < 1 token.
    public init(
        explorationRate: Double = 0, streamCheckTokens: Int? = nil, shadow: ShadowSampler? = nil
    ) throws(ServingError) {
        guard explorationRate.isFinite, (0...1).contains(explorationRate) else {
            throw .invalidConfiguration(key: "explorationRate", reason: "must be in 0...1, got \(explorationRate)")
        }
        if let streamCheckTokens, streamCheckTokens < 1 {
            throw .invalidConfiguration(key: "streamCheckTokens", reason: "must be ≥ 1 or absent")
        }
        self.explorationRate = explorationRate
        self.streamCheckTokens = streamCheckTokens
        if let shadow {
            self.shadow = shadow
        } else {
            self.shadow = try ShadowSampler()
        }
    }
}

/// Decides, per request, who serves it and whether the student shadows it. Pure: same
/// inputs, same decision.
///
/// Order: the mode (`teacher`; `shadow` → teacher, maybe shadow); the canary membership
/// (outside it: teacher, maybe shadow);
/// exploration (teacher, with the student in the background unless shadow sampling is off
/// or the student is busy); then the student's fitness (available, capabilities, queue). Policy reasons
/// come first so that fallback metrics count only requests meant for the student.
public struct ServingRouter: Sendable, Hashable {
    /// Settings.
    public var configuration: RouterConfiguration
    /// What the student can do.
    public var capabilities: StudentCapabilities

    /// Creates a router.
    public init(configuration: RouterConfiguration, capabilities: StudentCapabilities) {
        self.configuration = configuration
        self.capabilities = capabilities
    }

    /// Decides for one request.
    public func route(
        _ request: RequestFeatures, state: RouteServingState, key: CanaryKey,
        student: StudentStatus, draws: RoutingDraws
    ) -> RoutingDecision {
        switch state.mode {
        case .teacher:
            return .teacher(.modeTeacher)
        case .shadow:
            return RoutingDecision(server: .teacher(.modeShadow), shadow: shadow(request, student: student, unitRandom: draws.shadow))
        case .canary:
            guard CanaryAssignment.isInCanary(key, route: state.route, percent: state.canaryPercent) else {
                // The teacher's share of a canary is shadowed as in shadow mode: judged
                // evidence for the canary's promotion that costs no teacher call.
                return RoutingDecision(server: .teacher(.notInCanary), shadow: shadow(request, student: student, unitRandom: draws.shadow))
            }
            return studentOrFallback(request, student: student, draws: draws)
        case .student:
            return studentOrFallback(request, student: student, draws: draws)
        }
    }

    /// Decides for one request, drawing the randomness from `generator`.
    public func route<G: RandomNumberGenerator>(
        _ request: RequestFeatures, state: RouteServingState, key: CanaryKey,
        student: StudentStatus, using generator: inout G
    ) -> RoutingDecision {
        route(request, state: state, key: key, student: student, draws: RoutingDraws(using: &generator))
    }

    private func studentOrFallback(
        _ request: RequestFeatures, student: StudentStatus, draws: RoutingDraws
    ) -> RoutingDecision {
        if draws.exploration < configuration.explorationRate {
            // The student also answers an exploration request in the background, when it can
            // and is not busy: exploration then yields judged pairs for canary and rollback.
            return RoutingDecision(server: .teacher(.exploration), shadow: shadow(request, student: student, unitRandom: 0))
        }
        guard student.isAvailable else { return .teacher(.studentUnavailable) }
        if let refusal = capabilities.refusal(of: request) { return .teacher(refusal) }
        if student.isFull { return .teacher(.overloaded) }
        let plan = AnswerCheckPlan(
            requireJSON: request.wantsJSON,
            bufferTokens: request.stream ? configuration.streamCheckTokens : nil)
        return RoutingDecision(server: .student(plan))
    }

    /// The shadow sampler's decision for a request the student could answer; nil when it
    /// is unavailable or cannot take the request.
    private func shadow(_ request: RequestFeatures, student: StudentStatus, unitRandom: Double) -> ShadowSampler.Decision? {
        guard student.isAvailable, capabilities.refusal(of: request) == nil else { return nil }
        return configuration.shadow.decide(unitRandom: unitRandom, queueDepth: student.totalDepth)
    }
}
