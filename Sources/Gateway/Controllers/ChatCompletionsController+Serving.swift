import ChatAPI
import Corpus
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Serving

extension ChatCompletionsController {
    /// Applies the route's serving mode. Returns the student's response when the student
    /// answers; nil when the teacher must (recording why, and arranging a shadow run when
    /// one was sampled). Every student check runs before the response head goes out.
    func serveProgressively(_ chat: ChatRequest, route: RouteConfiguration, exchange: PendingExchange) async -> Response? {
        let serving = services.serving
        let plan = serving.plan(chat, route: route, tags: exchange.tags)
        switch plan.decision.server {
        case .teacher(let reason):
            exchange.update { $0.servedReason = plan.label(reason) }
            serving.recordServed(route: route.name, student: false, reason: reason)
            arrangeShadow(plan, chat: chat, route: route, exchange: exchange)
            return nil
        case .student(let checks):
            return await tryStudent(chat, checks: checks, plan: plan, route: route, exchange: exchange)
        }
    }

    /// Runs the student and its checks; its response if they pass, else nil (the reason
    /// recorded and the discarded answer kept).
    func tryStudent(_ chat: ChatRequest, checks: AnswerCheckPlan, plan: ServingPlan, route: RouteConfiguration,
                    exchange: PendingExchange) async -> Response? {
        let serving = services.serving
        guard let backend = plan.backend, let version = plan.state.student else {
            exchange.update { $0.servedReason = plan.label(.studentUnavailable) }
            serving.recordServed(route: route.name, student: false, reason: .studentUnavailable)
            return nil
        }
        let attempt = StudentAttempt(backend: backend, chat: chat, plan: checks, check: serving.check,
                                     timeout: .milliseconds(serving.settings.studentTimeoutMs),
                                     defaultMaxTokens: services.configuration.student.defaultMaxTokens)
        switch await attempt.run() {
        case .rejected(let reason, let generation):
            exchange.update { $0.servedReason = plan.label(reason) }
            serving.recordStudentTry(route: route.name, student: version, fallback: reason)
            if let generation { keepDiscarded(generation, reason: reason, chat: chat, version: version, exchange: exchange) }
            return nil
        case .acceptedPrefix(let prefix):
            serving.recordStudentTry(route: route.name, student: version, fallback: nil)
            return streamStudent(prefix, chat: chat, version: version, plan: plan, exchange: exchange)
        case .accepted(let generation):
            serving.recordStudentTry(route: route.name, student: version, fallback: nil)
            return respondWithStudent(generation, chat: chat, version: version, plan: plan, exchange: exchange)
        }
    }

    /// Sends the student's checked whole answer: a `chat.completion`, or its stream replayed.
    func respondWithStudent(_ generation: StudentAttempt.Generation, chat: ChatRequest, version: String,
                            plan: ServingPlan, exchange: PendingExchange) -> Response {
        guard chat.stream else {
            let responses = studentServes(chat: chat, version: version, plan: plan, exchange: exchange)
            exchange.markFirstByte()
            let json = responses.completion(generation.result, logprobs: chat.logprobs)
            exchange.update { $0.apply(completion: json) }
            exchange.complete(status: 200, response: json.jsonString)
            return .json(json, headers: [.retortExchangeID: exchange.id])
        }
        let (events, continuation) = AsyncStream.makeStream(of: StudentEvent.self)
        continuation.yield(.finished(generation.result))
        continuation.finish()
        let prefix = StudentAttempt.Prefix(tokens: generation.tokens, rest: events.makeAsyncIterator(), cancellation: CancellationFlag())
        return streamStudent(prefix, chat: chat, version: version, plan: plan, exchange: exchange)
    }

    /// Streams the student's checked first tokens, then the rest of its answer as it comes.
    func streamStudent(_ prefix: StudentAttempt.Prefix, chat: ChatRequest, version: String,
                       plan: ServingPlan, exchange: PendingExchange) -> Response {
        let responses = studentServes(chat: chat, version: version, plan: plan, exchange: exchange)
        exchange.setOnAbandon { prefix.cancellation.cancel() }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache", .retortExchangeID: exchange.id]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var relay = StudentStreamRelay(chat: chat, exchange: exchange, responses: responses, cancellation: prefix.cancellation)
            try await relay.run(prefix: prefix.tokens, prefix.rest, into: &writer)
        })
    }

    /// Marks the exchange as served by student `version` and returns its response builder.
    private func studentServes(chat: ChatRequest, version: String, plan: ServingPlan, exchange: PendingExchange) -> StudentResponses {
        let responses = StudentResponses(completionID: "chatcmpl-" + exchange.id.replacingOccurrences(of: "-", with: ""),
                                         created: Int(Date().timeIntervalSince1970), model: chat.model)
        exchange.update {
            $0.servedBy = "student"
            $0.servedReason = plan.studentLabel
            $0.teacherURL = nil
            $0.upstreamModel = version
            $0.completionID = responses.completionID
        }
        return responses
    }

    /// Keeps a student answer the checks discarded: a ready rejected sample for DPO.
    func keepDiscarded(_ generation: StudentAttempt.Generation, reason: FallbackReason, chat: ChatRequest,
                       version: String, exchange: PendingExchange) {
        let now = Date().timeIntervalSince1970
        let responses = StudentResponses(completionID: "fallback-" + exchange.id, created: Int(now), model: chat.model)
        let answer = StoredStudentAnswer(exchangeID: exchange.id, route: chat.model, version: version, kind: "fallback",
                                         reason: reason.rawValue, createdAt: now,
                                         responseJSON: responses.completion(generation.result, logprobs: false).jsonString)
        let store = services.serving.book.store
        Task.detached { try? store.recordStudentAnswer(answer) }
    }

    /// Arranges the shadow run (after the teacher's answer) or counts a dropped one.
    func arrangeShadow(_ plan: ServingPlan, chat: ChatRequest, route: RouteConfiguration, exchange: PendingExchange) {
        switch plan.decision.shadow {
        case nil, .notSampled?: return
        case .droppedOverloaded?: services.serving.recordShadow(route: route.name, ran: false)
        case .run?:
            guard let backend = plan.backend, let version = plan.state.student else { return }
            let shadow = ShadowRun(runtime: services.serving, backend: backend, version: version, chat: chat, route: route.name,
                                   judge: services.serving.judge)
            exchange.setOnComplete { record in shadow.launch(after: record) }
        }
    }
}
