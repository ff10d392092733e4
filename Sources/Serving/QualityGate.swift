/// Thresholds a candidate must meet to be promoted.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `minimumSamples` | `Int` | `200` | held-out rows needed (CoreWeave guidance: ≥ 200) |
/// | `minimumExactMatch` | `Double?` | `nil` | exact-match share needed; nil: not checked (free-text tasks) |
/// | `minimumTokenF1` | `Double?` | `0.8` | mean token F1 against the teacher; nil: not checked |
/// | `minimumJSONValidity` | `Double` | `0.99` | valid-JSON share on rows that asked for JSON |
/// | `maximumJSONRegression` | `Double` | `0.01` | how far JSON validity may fall below the teacher's |
/// | `requireJudge` | `Bool` | `false` | fail when no pairwise judgments were made |
/// | `minimumJudged` | `Int` | `30` | judgments needed for the judge's verdict to count |
/// | `judgeMargin` | `Double` | `0.05` | pass when the win rate's lower 95% bound ≥ 0.5 − margin |
public struct QualityGateThresholds: Sendable, Hashable, Codable {
    /// Held-out rows needed.
    public var minimumSamples: Int = 200
    /// Exact-match share needed; nil: not checked.
    public var minimumExactMatch: Double? = nil
    /// Mean token F1 needed; nil: not checked.
    public var minimumTokenF1: Double? = 0.8
    /// Valid-JSON share needed on JSON rows.
    public var minimumJSONValidity: Double = 0.99
    /// Largest allowed drop of JSON validity below the teacher's.
    public var maximumJSONRegression: Double = 0.01
    /// Whether judgments are required.
    public var requireJudge: Bool = false
    /// Judgments needed for the judge's verdict to count.
    public var minimumJudged: Int = 30
    /// Tolerance below parity for the judged win rate's lower bound.
    public var judgeMargin: Double = 0.05

    /// The documented defaults.
    public init() {}
}

/// One reason a candidate failed the gate; `code` is a stable string for storage.
public enum GateFailure: Sendable, Hashable, Codable {
    /// Too few held-out rows.
    case tooFewSamples(have: Int, need: Int)
    /// Exact match under the threshold.
    case exactMatchBelow(value: Double, threshold: Double)
    /// Token F1 under the threshold.
    case tokenF1Below(value: Double, threshold: Double)
    /// JSON validity under the threshold.
    case jsonValidityBelow(value: Double, threshold: Double)
    /// JSON validity fell more than allowed below the teacher's.
    case jsonRegression(student: Double, teacher: Double)
    /// The judge is required but too few judgments were made.
    case tooFewJudgments(have: Int, need: Int)
    /// The judged win rate's lower bound is under 0.5 − margin.
    case judgedWinRateBelow(lowerBound: Double, threshold: Double)

    /// A stable identifier.
    public var code: String {
        switch self {
        case .tooFewSamples: "too_few_samples"
        case .exactMatchBelow: "exact_match_below"
        case .tokenF1Below: "token_f1_below"
        case .jsonValidityBelow: "json_validity_below"
        case .jsonRegression: "json_regression"
        case .tooFewJudgments: "too_few_judgments"
        case .judgedWinRateBelow: "judged_win_rate_below"
        }
    }
}

/// The gate's verdict: passed when there are no failures. Boundaries pass (`value ≥ threshold`,
/// with 1e-9 of slack so that rates like 0.99 computed from counts are not failed by rounding).
public struct GateResult: Sendable, Hashable, Codable {
    /// Every threshold missed, in check order.
    public var failures: [GateFailure]

    /// A verdict with these failures (none: passed); for results loaded from storage.
    public init(failures: [GateFailure]) {
        self.failures = failures
    }

    /// Whether the candidate may be promoted.
    public var passed: Bool { failures.isEmpty }
}

/// Decides whether a candidate student may be promoted. Pure.
public struct QualityGate: Sendable, Hashable, Codable {
    /// The thresholds.
    public var thresholds: QualityGateThresholds

    /// Creates a gate.
    public init(thresholds: QualityGateThresholds = QualityGateThresholds()) {
        self.thresholds = thresholds
    }

    /// Checks `metrics` against every threshold and lists all failures.
    public func evaluate(_ metrics: EvalMetrics) -> GateResult {
        var failures: [GateFailure] = []
        if metrics.sampleCount < thresholds.minimumSamples {
            failures.append(.tooFewSamples(have: metrics.sampleCount, need: thresholds.minimumSamples))
        }
        if let minimum = thresholds.minimumExactMatch, isBelow(metrics.exactMatch, minimum) {
            failures.append(.exactMatchBelow(value: metrics.exactMatch, threshold: minimum))
        }
        if let minimum = thresholds.minimumTokenF1, isBelow(metrics.tokenF1, minimum) {
            failures.append(.tokenF1Below(value: metrics.tokenF1, threshold: minimum))
        }
        failures += jsonFailures(metrics)
        failures += judgeFailures(metrics.judged ?? JudgedOutcomes())
        return GateResult(failures: failures)
    }

    private func jsonFailures(_ metrics: EvalMetrics) -> [GateFailure] {
        guard metrics.jsonSampleCount > 0, let validity = metrics.jsonValidity else { return [] }
        var failures: [GateFailure] = []
        if isBelow(validity, thresholds.minimumJSONValidity) {
            failures.append(.jsonValidityBelow(value: validity, threshold: thresholds.minimumJSONValidity))
        }
        if let teacher = metrics.teacherJSONValidity, isBelow(validity, teacher - thresholds.maximumJSONRegression) {
            failures.append(.jsonRegression(student: validity, teacher: teacher))
        }
        return failures
    }

    private func judgeFailures(_ judged: JudgedOutcomes) -> [GateFailure] {
        guard judged.count >= thresholds.minimumJudged else {
            return thresholds.requireJudge
                ? [.tooFewJudgments(have: judged.count, need: thresholds.minimumJudged)] : []
        }
        let threshold = 0.5 - thresholds.judgeMargin
        guard let lower = judged.winRateLowerBound, !isBelow(lower, threshold) else {
            return [.judgedWinRateBelow(lowerBound: judged.winRateLowerBound ?? 0, threshold: threshold)]
        }
        return []
    }

    private func isBelow(_ value: Double, _ threshold: Double) -> Bool {
        value < threshold - 1e-9
    }
}
