import ChatAPI
import Serving

/// A pairwise judge of a student answer against the teacher's on the same request
/// (``TeacherJudge`` asks the teacher; tests pass their own).
public protocol PairwiseJudging: Sendable {
    /// The student's judgment against the teacher on `request`, asking `model`; nil when the
    /// judge gave no usable verdict.
    func judge(_ request: ChatRequest, student: String, teacher: String, model: String?) async -> Judgment?
}

extension ServingRuntime {
    /// Teacher feedback on one student answer (``AIFeedbackSettings``): when the route asks
    /// for it, the sample and the hour's budget allow, and the answers differ, the judge is
    /// asked in the background and a win or a loss is kept as an `ai_feedback` preference pair.
    func seekTeacherFeedback(route: RouteName, chat: ChatRequest, exchangeID: String, student: String, teacher: String) {
        guard let feedbackJudge, let runtime = routes[route], runtime.aiFeedback.enabled,
              !TextScoring.exactMatch(student, teacher) else { return }
        let settings = runtime.aiFeedback
        guard uniformDraw() < settings.sampleRate else { return }
        let now = clock.now()
        let withinBudget = runtime.withRecord { record in
            record.judgeCalls.removeAll { $0 <= now - 3600 }
            guard record.judgeCalls.count < settings.maxJudgmentsPerHour else { return false }
            record.judgeCalls.append(now)
            return true
        }
        guard withinBudget else {
            countFeedback(route: route, outcome: "over_budget")
            return
        }
        Task.detached { [self] in
            let verdict = await feedbackJudge.judge(chat, student: student, teacher: teacher, model: runtime.teacherModel)
            countFeedback(route: route, outcome: verdict?.rawValue ?? "no_verdict")
            guard let verdict, verdict != .tie else { return }
            let message = JSONValue.object([("role", .string("assistant")), ("content", .string(student))]).jsonString
            let added = errors.attempt("ai_feedback", "keeping the judged pair of exchange \(exchangeID)") {
                try book.store.recordJudgedPair(exchangeID: exchangeID, studentMessage: message,
                                                studentWon: verdict == .win, at: clock.now())
            }
            if added == true {
                metrics.increment("retort_ai_feedback_pairs_total", [("route", route.rawValue)],
                                  help: "Preference pairs the teacher's judgments of student answers added (provenance ai_feedback).")
            }
        }
    }

    /// Counts one teacher-feedback outcome: `win`, `tie`, `loss`, `no_verdict` (a judge call
    /// spent for nothing) or `over_budget` (not asked).
    private func countFeedback(route: RouteName, outcome: String) {
        metrics.increment("retort_ai_feedback_judgments_total", [("route", route.rawValue), ("outcome", outcome)],
                          help: "Student answers sent to the teacher as pairwise judge (ai_feedback), by verdict; over_budget: not sent.")
    }
}
