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

    /// `tie` when `student` agrees with `teacher`, else `loss`.
    public func judge(student: String, teacher: String) -> Judgment {
        if TextScoring.exactMatch(student, teacher) { return .tie }
        return TextScoring.tokenF1(student, teacher) >= minimumF1 - 1e-12 ? .tie : .loss
    }
}
