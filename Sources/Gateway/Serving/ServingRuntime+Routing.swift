import ChatAPI
import Engine
import Serving

/// Who serves one request, decided before any work starts.
struct ServingPlan: Sendable {
    /// The route's state at the decision.
    let state: RouteServingState
    /// The router's decision.
    let decision: RoutingDecision
    /// The student version's backend, when the student serves or shadows.
    let backend: StudentBackend?

    /// `served_reason` for a request the teacher answers because of `reason`: `mode:reason`.
    func label(_ reason: FallbackReason) -> String { "\(state.mode.rawValue):\(reason.rawValue)" }

    /// `served_reason` for a request the student answered.
    var studentLabel: String { "\(state.mode.rawValue):student" }
}

extension ServingRuntime {
    /// Decides who serves `chat` on `route` (a teacher route).
    func plan(_ chat: ChatRequest, route: RouteConfiguration, tags: [String]) -> ServingPlan {
        let state = self.state(of: route.name) ?? RouteServingState(route: route.name)
        let backend = state.mode == .teacher ? nil : state.student.flatMap { pool.backend(for: $0) }
        let model = backend.flatMap { try? $0.model.get() }
        let routingDraws = draws()
        // An unsampled shadow-mode request gets no shadow whatever its length: skip tokenizing its prompt.
        let unsampledShadow = state.mode == .shadow && routingDraws.shadow >= routerConfiguration.shadow.sampleRate
        let promptTokens = unsampledShadow ? nil : model.flatMap { try? $0.promptTokens(for: chat.engineMessages).count }
        let features = Self.features(of: chat, promptTokens: promptTokens)
        let capabilities = StudentCapabilities(contextLength: model?.contextLength ?? Int.max)
        let status = StudentStatus(isAvailable: model != nil, queueDepth: pool.queue.depth,
                                   queueLimit: settings.studentQueueLimit)
        let router = ServingRouter(configuration: routerConfiguration, capabilities: capabilities)
        let decision = router.route(features, state: state, key: Self.canaryKey(chat, tags: tags), student: status, draws: routingDraws)
        return ServingPlan(state: state, decision: decision, backend: backend)
    }

    /// What the router needs to know about `chat`.
    static func features(of chat: ChatRequest, promptTokens: Int?) -> RequestFeatures {
        let parameters = Set(chat.json.objectValue?.map(\.key) ?? [])
        return RequestFeatures(
            hasTools: chat.hasTools, hasNonTextContent: chat.hasNonTextContent, choices: chat.choiceCount,
            wantsJSON: chat.wantsJSON,
            promptTokens: promptTokens, maxTokens: chat.maxTokens, stream: chat.stream, parameters: parameters)
    }

    /// The sticky canary key: the `user` field, else the first `x-retort-tags` tag, else a
    /// `metadata` id (`episode_id`, `session_id`, `user_id`), else the prompt.
    static func canaryKey(_ chat: ChatRequest, tags: [String]) -> CanaryKey {
        let metadataID = ["episode_id", "session_id", "user_id"].lazy.compactMap { chat.metadata?[$0]?.stringValue }.first
        return CanaryKey.choose(user: chat.user, tag: tags.first ?? metadataID, prompt: chat.promptHash)
    }

    /// Counts how a route's request was served, for `/metrics` and the admin API.
    func recordServed(route: String, student: Bool, reason: FallbackReason?) {
        let server = student ? "student" : "teacher"
        metrics.increment("retort_served_total", [("route", route), ("served_by", server), ("reason", reason?.rawValue ?? "student")],
                          help: "Chat completions by route, server and serving reason.")
        if student {
            metrics.increment("retort_teacher_calls_saved_total", [("route", route)], help: "Requests the student answered instead of the teacher.")
        }
        if let reason, reason.isFallback {
            metrics.increment("retort_fallbacks_total", [("route", route), ("reason", reason.rawValue)],
                              help: "Student-bound requests the teacher took over, by reason.")
        }
        let tally: ServingTally = withTally(route) { tally in
            if student { tally.student += 1 } else { tally.teacher += 1 }
            if let reason, reason.isFallback { tally.fallbacks[reason.rawValue, default: 0] += 1 }
        }
        let total = tally.student + tally.teacher
        metrics.set("retort_student_share", [("route", route)], to: total > 0 ? Double(tally.student) / Double(total) : 0,
                    help: "Share of the route's requests the student answered since start.")
    }

    /// Counts a student attempt on `route`: answered by the student (`fallback` nil), or
    /// fallen back to the teacher for `fallback`.
    func recordStudentTry(route: String, student: String, fallback: FallbackReason?) {
        recordServed(route: route, student: fallback == nil, reason: fallback)
        recordAttempt(route: route, student: student, fellBack: fallback?.isStudentFailure ?? false)
    }

    /// Counts one shadow decision that ran or was dropped.
    func recordShadow(route: String, ran: Bool) {
        metrics.increment("retort_shadow_total", [("route", route), ("outcome", ran ? "run" : "dropped")],
                          help: "Shadow runs of the student, and shadow work dropped because the student was busy.")
        withTally(route) { tally in if ran { tally.shadowRuns += 1 } else { tally.shadowDrops += 1 } }
    }

    /// `loaded`, `loading` or `failed: why` for the route's student; nil when it has none.
    public func studentStatus(of state: RouteServingState) -> String? {
        guard let student = state.student else { return nil }
        switch pool.entry(for: student) {
        case .loaded?: return "loaded"
        case .loading?: return "loading"
        case .failed(let why)?: return "failed: " + why
        case nil: return "not loaded"
        }
    }

    /// The tallies of every route.
    public func servingTallies() -> [String: ServingTally] {
        locked { tallies }
    }

    @discardableResult
    private func withTally(_ route: String, _ change: (inout ServingTally) -> Void) -> ServingTally {
        locked {
            change(&tallies[route, default: ServingTally()])
            return tallies[route] ?? ServingTally()
        }
    }
}
