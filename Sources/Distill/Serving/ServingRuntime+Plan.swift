import ChatAPI
import Corpus
import Serving

extension ServingRuntime {
    /// Decides who serves `chat` on `route` (a teacher route).
    public func plan(_ chat: ChatRequest, route: RouteName, tags: [String]) -> ServingPlan {
        let state = self.state(of: route) ?? RouteServingState(route: route)
        // Teacher mode decides nothing from the request: skip reading its features (the
        // common case before any student is admitted, on every request).
        if state.mode == .teacher {
            return ServingPlan(runtime: self, chat: chat, state: state, decision: .teacher(.modeTeacher), backend: nil, draws: draws())
        }
        let backend = state.mode == .teacher ? nil : state.student.flatMap { pool.backend(for: $0) }
        let routingDraws = draws()
        // An unsampled shadow-mode request gets no shadow whatever its length: skip tokenizing its prompt.
        let unsampledShadow = state.mode == .shadow && routingDraws.shadow >= routerConfiguration.shadow.sampleRate
        let promptTokens = unsampledShadow ? nil : backend?.promptTokenCount(chat)
        var features = Self.features(of: chat, promptTokens: promptTokens)
        if backend?.constrainedDecoding == false { features.hasUnsupportedSchema = false }
        let capabilities = StudentCapabilities(contextLength: backend?.contextLength ?? Int.max)
        let status = StudentStatus(isAvailable: backend != nil, queueDepth: pool.queue.servedDepth,
                                   queueLimit: settings.studentQueueLimit, backgroundDepth: pool.queue.backgroundDepth)
        let router = ServingRouter(configuration: routerConfiguration, capabilities: capabilities)
        let decision = router.route(features, state: state, key: Self.canaryKey(chat, tags: tags), student: status, draws: routingDraws)
        return ServingPlan(runtime: self, chat: chat, state: state, decision: decision, backend: backend, draws: routingDraws)
    }

    /// What the router needs to know about `chat`.
    static func features(of chat: ChatRequest, promptTokens: Int?) -> RequestFeatures {
        let parameters = Set(chat.json.objectValue?.map(\.key) ?? [])
        var features = RequestFeatures(
            hasTools: chat.hasTools, hasNonTextContent: chat.hasNonTextContent, choices: chat.choiceCount,
            wantsJSON: chat.wantsJSON,
            promptTokens: promptTokens, maxTokens: chat.maxTokens, stream: chat.stream, parameters: parameters)
        features.hasUnsupportedSchema = (try? StudentJSONShape.shape(for: chat)) == nil && chat.wantsJSON
        return features
    }

    /// The sticky canary key: the `user` field, else the first `x-retort-tags` tag, else a
    /// `metadata` id (`episode_id`, `session_id`, `user_id`), else the prompt.
    static func canaryKey(_ chat: ChatRequest, tags: [String]) -> CanaryKey {
        let metadataID = ["episode_id", "session_id", "user_id"].lazy.compactMap { chat.metadata?[$0]?.stringValue }.first
        return CanaryKey.choose(user: chat.user, tag: tags.first ?? metadataID, prompt: chat.promptHash)
    }

    /// Counts how a route's request was served, for `/metrics` and the admin API.
    func recordServed(route: RouteName, student: Bool, reason: FallbackReason?) {
        let name = route.rawValue
        let server = student ? "student" : "teacher"
        metrics.increment("retort_served_total", [("route", name), ("served_by", server), ("reason", reason?.rawValue ?? "student")],
                          help: "Chat completions by route, server and serving reason.")
        if student {
            metrics.increment("retort_teacher_calls_saved_total", [("route", name)], help: "Requests the student answered instead of the teacher.")
        }
        if let reason, reason.isFallback {
            metrics.increment("retort_fallbacks_total", [("route", name), ("reason", reason.rawValue)],
                              help: "Student-bound requests the teacher took over, by reason.")
        }
        guard let tally = routes[route]?.withRecord({ record -> ServingTally in
            if student { record.tally.student += 1 } else { record.tally.teacher += 1 }
            if let reason, reason.isFallback { record.tally.fallbacks[reason.rawValue, default: 0] += 1 }
            return record.tally
        }) else { return }
        let total = tally.student + tally.teacher
        metrics.set("retort_student_share", [("route", name)], to: total > 0 ? Double(tally.student) / Double(total) : 0,
                    help: "Share of the route's requests the student answered since start.")
    }

    /// Counts a student attempt on `route`: answered by the student (`fallback` nil), or
    /// fallen back to the teacher for `fallback`.
    func recordStudentTry(route: RouteName, student: String, fallback: FallbackReason?) {
        recordServed(route: route, student: fallback == nil, reason: fallback)
        recordAttempt(route: route, student: student, fellBack: fallback?.isStudentFailure ?? false)
    }

    /// Counts one shadow decision that ran or was dropped.
    func recordShadow(route: RouteName, ran: Bool) {
        metrics.increment("retort_shadow_total", [("route", route.rawValue), ("outcome", ran ? "run" : "dropped")],
                          help: "Shadow runs of the student, and shadow work dropped because the student was busy.")
        routes[route]?.withRecord { if ran { $0.tally.shadowRuns += 1 } else { $0.tally.shadowDrops += 1 } }
    }

    /// Keeps a student answer the checks discarded: a ready rejected sample for DPO.
    func keepDiscarded(_ generation: StudentAttempt.Generation, reason: FallbackReason, chat: ChatRequest,
                       version: String, exchangeID: String) {
        let now = clock.now()
        let responses = StudentResponses(completionID: "fallback-" + exchangeID, created: Int(now), model: chat.model)
        let answer = StoredStudentAnswer(exchangeID: exchangeID, route: chat.model, version: version, kind: "fallback",
                                         reason: reason.rawValue, createdAt: now,
                                         responseJSON: responses.completion(generation.result, logprobs: false).jsonString)
        let store = book.store, errors = errors
        Task.detached {
            errors.attempt("student_answer", "keeping the discarded answer of exchange \(exchangeID)") {
                try store.recordStudentAnswer(answer)
            }
        }
    }
}
