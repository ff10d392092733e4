/// A route's teacher feedback (`routes[].ai_feedback`; the survey's "feedback" knowledge,
/// distillation.md §11.2 pair source 3): when a student answer meets the teacher's on a
/// logged request (a shadow run, an exploration sample), the teacher is asked as a pairwise
/// judge which is better. A judged loss becomes a preference pair with the teacher's answer
/// chosen and the student's rejected (on-policy negatives, which DPO likes); a judged win
/// the reverse; a tie nothing. Pairs carry provenance `ai_feedback`; `retort train dpo`
/// weighs them with `source_weights`.
///
/// | key | type | default |
/// |---|---|---|
/// | `enabled` | bool | `false` |
/// | `sample_rate` | number 0…1 | 1: share of eligible student answers sent to the judge |
/// | `max_judgments_per_hour` | int ≥ 0 | 60: judge calls the route may spend in any hour; beyond it answers are skipped and counted |
///
/// Held-out prompts still reach the judge (the student shadows every request), but a pair
/// on a held-out prompt is never trained on: training reads the train split only.
public struct AIFeedbackSettings: Sendable, Decodable, Equatable {
    /// Whether the route's student answers are judged.
    public var enabled = false
    /// Share of eligible answers judged.
    public var sampleRate = 1.0
    /// Judge calls allowed in any one-hour window.
    public var maxJudgmentsPerHour = 60

    /// Settings; off by default.
    public init(enabled: Bool = false, sampleRate: Double = 1, maxJudgmentsPerHour: Int = 60) {
        self.enabled = enabled
        self.sampleRate = sampleRate
        self.maxJudgmentsPerHour = maxJudgmentsPerHour
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        enabled = try c.value("enabled", enabled)
        sampleRate = try c.value("sample_rate", sampleRate)
        maxJudgmentsPerHour = try c.value("max_judgments_per_hour", maxJudgmentsPerHour)
        try c.require((0...1).contains(sampleRate), "sample_rate", "in 0...1", got: sampleRate)
        try c.require(maxJudgmentsPerHour >= 0, "max_judgments_per_hour", "≥ 0", got: maxJudgmentsPerHour)
    }
}
