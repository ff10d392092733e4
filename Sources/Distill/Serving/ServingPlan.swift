import ChatAPI
import Serving

/// Who serves one request, decided before any work starts, and the work that follows from
/// it: ``execute(exchangeID:)`` runs the student when the router chose it, applies the
/// answer checks, and records the outcome itself (metrics, tallies, rollback evidence, a
/// discarded answer kept for DPO). The controller only turns the outcome into HTTP.
public struct ServingPlan: Sendable {
    /// The runtime the plan reports to.
    let runtime: ServingRuntime
    /// The request.
    let chat: ChatRequest
    /// The route's state at the decision.
    public let state: RouteServingState
    /// The router's decision.
    public let decision: RoutingDecision
    /// The student version's backend, when the student serves or shadows.
    let backend: StudentBackend?
    /// The draws of the decision (the shadow draw, unused on the student's path, decides
    /// router exploration).
    let draws: RoutingDraws

    /// The route.
    public var route: RouteName { state.route }

    /// `served_reason` for a request the teacher answers because of `reason`: `mode:reason`.
    func label(_ reason: FallbackReason) -> String { "\(state.mode.rawValue):\(reason.rawValue)" }

    /// `served_reason` for a request the student answered.
    var studentLabel: String { "\(state.mode.rawValue):student" }

    /// Carries the plan out: the teacher's turn (with the shadow run to start after its
    /// answer, if one was sampled), or the student's checked answer. Every student check
    /// runs before this returns, so the response head has not gone out yet.
    public func execute(exchangeID: String) async -> ServingOutcome {
        switch decision.server {
        case .teacher(let reason):
            runtime.recordServed(route: route, student: false, reason: reason)
            return .teacher(servedReason: label(reason), shadow: shadowRun())
        case .student(let checks):
            return await tryStudent(checks: checks, exchangeID: exchangeID)
        }
    }

    /// Runs the student and its checks: its reply if they pass, else the teacher's turn
    /// (the reason recorded and a discarded whole answer kept).
    private func tryStudent(checks: AnswerCheckPlan, exchangeID: String) async -> ServingOutcome {
        guard let backend, let version = state.student else {
            runtime.recordServed(route: route, student: false, reason: .studentUnavailable)
            return .teacher(servedReason: label(.studentUnavailable), shadow: nil)
        }
        let attempt = StudentAttempt(backend: backend, chat: chat, plan: checks, check: runtime.check,
                                     timeout: .milliseconds(runtime.settings.studentTimeoutMs),
                                     defaultMaxTokens: runtime.studentSettings.defaultMaxTokens,
                                     router: runtime.router(version: version, route: route))
        switch await attempt.run() {
        case .rejected(let reason, let generation):
            runtime.recordStudentTry(route: route, student: version, fallback: reason)
            if let generation { runtime.keepDiscarded(generation, reason: reason, chat: chat, version: version, exchangeID: exchangeID) }
            let exploration = reason == .routerPrompt ? routerExploration(backend: backend, version: version) : nil
            return .teacher(servedReason: label(reason), shadow: exploration)
        case .acceptedPrefix(let prefix):
            runtime.recordStudentTry(route: route, student: version, fallback: nil)
            return .student(StudentReply(version: version, servedReason: studentLabel, tokens: prefix.tokens,
                                         result: nil, rest: prefix.rest, cancellation: prefix.cancellation))
        case .accepted(let generation):
            runtime.recordStudentTry(route: route, student: version, fallback: nil)
            return .student(StudentReply(version: version, servedReason: studentLabel, tokens: generation.tokens,
                                         result: generation.result, rest: nil, cancellation: CancellationFlag()))
        }
    }

    /// For a share (`serving.router_exploration_rate`) of the prompts the router turned
    /// away, a background answer of the student without the router, judged against the
    /// teacher's: labels where the router was too cautious, and drift.
    private func routerExploration(backend: StudentBackend, version: String) -> ShadowRun? {
        guard draws.shadow < runtime.settings.routerExplorationRate else { return nil }
        var run = ShadowRun(runtime: runtime, backend: backend, version: version, chat: chat, route: route)
        run.kind = .routerExploration
        return run
    }

    /// The shadow run the router sampled (counted now when it had to be dropped).
    private func shadowRun() -> ShadowRun? {
        switch decision.shadow {
        case nil, .notSampled?: return nil
        case .droppedOverloaded?:
            runtime.recordShadow(route: route, ran: false)
            return nil
        case .run?:
            guard let backend, let version = state.student else { return nil }
            var run = ShadowRun(runtime: runtime, backend: backend, version: version, chat: chat, route: route)
            run.router = runtime.router(version: version, route: route)
            return run
        }
    }
}

/// What came of a ``ServingPlan``.
public enum ServingOutcome: Sendable {
    /// The teacher answers. `servedReason` goes in the log; `shadow`, when set, is started
    /// with the teacher's finished exchange.
    case teacher(servedReason: String, shadow: ShadowRun?)
    /// The student answers with its checked reply.
    case student(StudentReply)
}

/// A student answer that passed its checks, ready to be sent.
public struct StudentReply: @unchecked Sendable {
    // @unchecked: `rest` is handed on to the response body and used only there.
    /// The student version (or GGUF path) that answered.
    public let version: String
    /// `served_reason` for the log.
    public let servedReason: String
    /// The checked tokens: the whole answer, or a stream's first tokens.
    public let tokens: [StudentToken]
    /// The whole answer, when it is complete.
    public let result: StudentResult?
    /// The events after `tokens` while the generation goes on; nil for a whole answer.
    let rest: AsyncStream<StudentEvent>.Iterator?
    /// Stops the generation (the client went away).
    public let cancellation: CancellationFlag

    /// The events that follow ``tokens``: the running generation's, or for a whole answer
    /// just its `.finished` event.
    public func remainingEvents() -> AsyncStream<StudentEvent>.Iterator {
        if let rest { return rest }
        let (events, continuation) = AsyncStream.makeStream(of: StudentEvent.self)
        if let result { continuation.yield(.finished(result)) }
        continuation.finish()
        return events.makeAsyncIterator()
    }
}
