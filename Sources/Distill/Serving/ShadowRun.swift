import ChatAPI
import Corpus
import Serving

/// The student answering a request in the background after the teacher has answered (a
/// shadow-mode sample, or an exploration request in canary and student modes).
///
/// It starts only once the teacher's exchange is complete, so it can never delay or
/// change the response. When the student's queue is full the run is dropped and counted.
/// Its answer is judged against the teacher's (``AgreementJudge``, by the route's
/// ``AnswerMatch``, as the router's labels are) and kept in
/// `student_answers` with kind `shadow`. On a route with `ai_feedback`, the teacher is then
/// asked to judge the two answers (``AIFeedbackSettings``).
public struct ShadowRun: Sendable {
    /// Settings, metrics and the store.
    let runtime: ServingRuntime
    /// The shadowing student's model and queue.
    let backend: StudentBackend
    /// Its version name (or GGUF path).
    let version: String
    /// The request the teacher answered.
    let chat: ChatRequest
    /// The route.
    let route: RouteName
    /// What the run is for: `shadow` (shadow mode and exploration: its judgment is evidence
    /// for rollback and promotion), or `router_exploration` (a prompt the router turned away,
    /// answered anyway for the router's labels: evidence of nothing else, since the student
    /// would never have served it).
    var kind = Kind.shadow
    /// The route's router, for a `shadow` run: the student shadows as it would serve, so a
    /// prompt or an answer the router turns away is recorded with that reason and judged
    /// for nothing (it would have gone to the teacher).
    var router: StudentRouter?

    /// What a background run is for; stored as `student_answers.kind`.
    public enum Kind: String, Sendable {
        /// Shadow mode or exploration.
        case shadow
        /// A prompt the router declined.
        case routerExploration = "router_exploration"
    }

    /// Starts the run for the teacher's finished exchange `record` (only a 200 answer is shadowed).
    public func launch(after record: ExchangeRecord) {
        guard record.status == 200 else { return }
        let teacherText = Self.answerText(record.responseJSON)
        guard let events = try? StudentAttempt.start(chat, on: backend, defaultMaxTokens: runtime.studentSettings.defaultMaxTokens,
                                                     deadline: .milliseconds(runtime.settings.studentTimeoutMs),
                                                     router: router, lane: .background).events
        else {
            runtime.recordShadow(route: route, ran: false)
            return
        }
        runtime.recordShadow(route: route, ran: true)
        Task.detached { [self] in
            keep(await StudentAttempt.collect(events), exchange: record, teacherText: teacherText)
        }
    }

    private func keep(_ collected: Result<StudentAttempt.Generation, AttemptFailure>, exchange: ExchangeRecord, teacherText: String?) {
        var answer = StoredStudentAnswer(exchangeID: exchange.id, route: route.rawValue, version: version, kind: kind.rawValue,
                                         reason: nil, createdAt: runtime.clock.now(), responseJSON: nil)
        switch collected {
        case .failure(let failure): answer.reason = failure.reason.rawValue
        case .success(let generation):
            let responses = StudentResponses(completionID: "shadow-" + exchange.id, created: Int(answer.createdAt), model: chat.model)
            answer.responseJSON = responses.completion(generation.result, logprobs: false).jsonString
            if router?.declinesAnswer(promptState: generation.result.promptState,
                                      logprobs: generation.tokens.compactMap(\.logprob)) == true {
                answer.reason = FallbackReason.routerAnswer.rawValue
            } else if let teacherText {
                let judgment = runtime.judge.judge(student: generation.result.text, teacher: teacherText, wantsJSON: chat.wantsJSON,
                                                   match: runtime.routes[route]?.answerMatch ?? .auto)
                answer.judgment = judgment.rawValue
                if kind == .shadow { runtime.recordJudgment(route: route, student: version, judgment: judgment) }
                runtime.seekTeacherFeedback(route: route, chat: chat, exchangeID: exchange.id,
                                            student: generation.result.text, teacher: teacherText)
            }
        }
        runtime.errors.attempt("student_answer", "keeping the shadow answer of exchange \(exchange.id)") {
            try runtime.book.store.recordStudentAnswer(answer)
        }
    }

    /// The first choice's message text of a `chat.completion` JSON, if any.
    public static func answerText(_ json: String?) -> String? {
        answerText(json.flatMap { try? JSONValue.parse(Array($0.utf8)) })
    }

    /// The first choice's message text of a parsed `chat.completion`, if any.
    public static func answerText(_ value: JSONValue?) -> String? {
        value?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue
    }
}
