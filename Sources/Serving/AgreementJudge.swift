/// Judges a shadow answer by its agreement with the teacher's answer to the same request,
/// the cheap automatic judge that needs no second model call.
///
/// Agreement can show the student is as good as the teacher but never better, so it
/// gives `tie` (agrees: exact match after ``TextScoring/normalize(_:)``, or token F1 ≥
/// `minimumF1`) or `loss`. A run of ties has win rate 0.5, parity; every loss pulls it
/// below, which is what ``RolloutPolicy`` and ``RollbackMonitor`` compare with their margins.
public struct AgreementJudge: Sendable, Hashable, Codable {
    /// Token F1 at or above which the answers agree, 0…1.
    public var minimumF1: Double

    /// Creates a judge; throws when `minimumF1` is outside 0…1.
    public init(minimumF1: Double = 0.8) throws(ServingError) {
        guard minimumF1.isFinite, (0...1).contains(minimumF1) else {
            throw .invalidConfiguration(key: "minimumF1", reason: "must be in 0...1, got \(minimumF1)")
        }
        self.minimumF1 = minimumF1
    }

    /// `tie` when `student` agrees with `teacher` by `match`, else `loss`.
    /// - Parameter wantsJSON: whether the request asked for JSON (``AnswerMatch/auto`` then compares whole answers)
    public func judge(student: String, teacher: String, wantsJSON: Bool = false, match: AnswerMatch = .tokenF1) -> Judgment {
        agrees(student: student, teacher: teacher, wantsJSON: wantsJSON, match: match) ? .tie : .loss
    }

    /// Whether `student` agrees with `teacher` by `match`: the same answer (whitespace and
    /// case aside), or token F1 at least ``minimumF1`` where the rule allows it.
    public func agrees(student: String, teacher: String, wantsJSON: Bool, match: AnswerMatch) -> Bool {
        if TextScoring.exactMatch(student, teacher) { return true }
        switch match {
        case .exact: return false
        case .auto where wantsJSON || teacher.split(whereSeparator: \.isWhitespace).count <= AnswerMatch.shortAnswerWords:
            return false
        case .auto, .tokenF1: return TextScoring.tokenF1(student, teacher) >= minimumF1 - 1e-12
        }
    }
}

/// How a route compares a student answer with the teacher's (`routes[].answer_match`): for
/// the router's labels, shadow and exploration judgments alike.
public enum AnswerMatch: String, Sendable, Hashable, Codable, CaseIterable {
    /// The whole answer where JSON was asked for or the teacher's answer is short (at most
    /// ``shortAnswerWords`` words); token F1 otherwise.
    case auto
    /// Always the whole answer: for routes whose answers carry facts, where a near miss in
    /// wording is a wrong answer (a tracking code, a date).
    case exact
    /// Token F1 at least `serving.shadow_agreement_f1`, or the whole answer.
    case tokenF1 = "token_f1"

    /// Teacher answers of at most this many words are compared whole under ``auto``.
    public static let shortAnswerWords = 4
}
