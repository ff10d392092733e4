/// What a learned router must achieve on its calibration curve before it may route traffic.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `maxQualityLoss` | `Double` | `0.01` | quality the routed mix may lose against teacher-only (1 point) |
/// | `minimumCoverage` | `Double` | `0.2` | share of requests the student must serve at that loss, or routing is not worth it |
/// | `minimumSamples` | `Int` | `20` | calibration samples needed for the curve to count |
public struct SelectiveGateThresholds: Sendable, Hashable, Codable {
    /// Quality the routed mix may lose against teacher-only.
    public var maxQualityLoss: Double = 0.01
    /// Share of requests the student must serve at the operating point.
    public var minimumCoverage: Double = 0.2
    /// Calibration samples needed.
    public var minimumSamples: Int = 20

    /// The documented defaults.
    public init() {}
}

/// One reason a router failed the gate; `code` is a stable string for storage.
public enum SelectiveGateFailure: Sendable, Hashable, Codable {
    /// Too few calibration samples.
    case tooFewSamples(have: Int, need: Int)
    /// At the allowed quality loss the student would serve too small a share.
    case coverageBelowMinimum(coverage: Double, minimum: Double)

    /// A stable identifier.
    public var code: String {
        switch self {
        case .tooFewSamples: "too_few_samples"
        case .coverageBelowMinimum: "coverage_below_minimum"
        }
    }
}

/// The selective gate's verdict, a sibling of ``GateResult`` that also carries the chosen
/// operating point: passed when there are no failures.
public struct SelectiveGateResult: Sendable, Hashable, Codable {
    /// Every threshold missed, in check order.
    public var failures: [SelectiveGateFailure]
    /// The threshold to serve with, its coverage, quality and quality loss; the +∞ point
    /// (nobody served by the student) when no threshold meets the quality target.
    public var operatingPoint: CoveragePoint

    /// A verdict; for results loaded from storage.
    public init(failures: [SelectiveGateFailure], operatingPoint: CoveragePoint) {
        self.failures = failures
        self.operatingPoint = operatingPoint
    }

    /// Whether the router may route traffic at ``operatingPoint``.
    public var passed: Bool { failures.isEmpty }
}

/// Decides whether a learned router may route traffic, from its ``CoverageCurve`` on
/// out-of-fold scores. Pure.
public struct SelectiveGate: Sendable, Hashable, Codable {
    /// The thresholds.
    public var thresholds: SelectiveGateThresholds

    /// Creates a gate.
    public init(thresholds: SelectiveGateThresholds = SelectiveGateThresholds()) {
        self.thresholds = thresholds
    }

    /// Picks the operating point for `maxQualityLoss` and lists every failure. The coverage
    /// boundary passes (coverage ≥ minimum, with 1e-9 of slack for shares computed from counts).
    public func evaluate(_ curve: CoverageCurve) -> SelectiveGateResult {
        let point = curve.operatingPoint(maxQualityLoss: thresholds.maxQualityLoss)
        var failures: [SelectiveGateFailure] = []
        if curve.sampleCount < thresholds.minimumSamples {
            failures.append(.tooFewSamples(have: curve.sampleCount, need: thresholds.minimumSamples))
        }
        if point.coverage < thresholds.minimumCoverage - 1e-9 {
            failures.append(.coverageBelowMinimum(coverage: point.coverage, minimum: thresholds.minimumCoverage))
        }
        return SelectiveGateResult(failures: failures, operatingPoint: point)
    }
}
