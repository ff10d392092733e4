/// One threshold of a ``CoverageCurve``: the student serves a request when the router's score
/// is ≥ `threshold`, the teacher serves the rest.
public struct CoveragePoint: Sendable, Hashable {
    /// Serve the student when score ≥ this; +∞ serves nobody.
    public var threshold: Double
    /// Samples the student serves at this threshold.
    public var covered: Int
    /// Share of samples the student serves, 0…1 (0 when there are no samples).
    public var coverage: Double
    /// Delivered quality relative to the teacher's (which is 1 by definition, its answer being
    /// the reference): (covered samples the student answered well + uncovered samples) / n.
    public var quality: Double

    /// A point of a curve.
    public init(threshold: Double, covered: Int, coverage: Double, quality: Double) {
        self.threshold = threshold
        self.covered = covered
        self.coverage = coverage
        self.quality = quality
    }

    /// 1 − quality: the share of requests whose answer is worse than the teacher's would have been.
    public var qualityLoss: Double { 1 - quality }
}

extension CoveragePoint: Codable {
    private enum CodingKeys: String, CodingKey {
        case threshold, covered, coverage, quality
    }

    /// Decodes a point; a null or absent threshold is +∞.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            threshold: try container.decodeIfPresent(Double.self, forKey: .threshold) ?? .infinity,
            covered: try container.decode(Int.self, forKey: .covered),
            coverage: try container.decode(Double.self, forKey: .coverage),
            quality: try container.decode(Double.self, forKey: .quality))
    }

    /// Encodes a point; a threshold of +∞, which JSON cannot hold, is written as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if threshold == .infinity {
            try container.encodeNil(forKey: .threshold)
        } else {
            try container.encode(threshold, forKey: .threshold)
        }
        try container.encode(covered, forKey: .covered)
        try container.encode(coverage, forKey: .coverage)
        try container.encode(quality, forKey: .quality)
    }
}
