/// One held-out request for calibration: the router's score for its prompt, and whether the
/// student's answer was good enough against the teacher's.
public struct CoverageSample: Sendable, Hashable, Codable {
    /// The router's score; higher means the student is more likely good enough.
    public var score: Double
    /// The student's answer was good enough (for example, the judge found it no worse).
    public var studentGood: Bool

    /// A sample.
    public init(score: Double, studentGood: Bool) {
        self.score = score
        self.studentGood = studentGood
    }
}

/// Coverage against delivered quality for every threshold on a router's scores, the
/// selective-prediction view of routing (RouteLLM's calibration, arXiv 2406.18665 §5: pick
/// the threshold on held-out scores that meets a quality or cost target).
///
/// The student serves a request when its score is ≥ the threshold and the teacher the rest;
/// the teacher's quality is 1 by definition, so delivered quality = (covered samples the
/// student answered well + uncovered samples) / n. Build it on scores the router was not
/// fitted to (``RouterCalibration/crossFit(samples:labels:folds:seed:l2:iterations:)``).
public struct CoverageCurve: Sendable, Hashable, Codable {
    /// Samples, n.
    public let sampleCount: Int
    /// One point per distinct score, after a first point at +∞ (coverage 0, quality 1), by
    /// descending threshold: coverage rises strictly to 1 at the lowest score. For the dashboard.
    public let points: [CoveragePoint]
    /// ROC AUC of the score against `studentGood` (the Mann–Whitney U statistic over
    /// positives × negatives, a tie counted half); nil when either class is empty.
    public let auc: Double?

    /// The curve of `samples`.
    /// - Warning: every score must be finite (a router's probability is); NaN or ±∞ traps.
    public init(samples: [CoverageSample]) {
        precondition(samples.allSatisfy(\.score.isFinite), "CoverageCurve: scores must be finite")
        let descending = samples.sorted { $0.score > $1.score }
        var points = [CoveragePoint(threshold: .infinity, covered: 0, coverage: 0, quality: 1)]
        var covered = 0
        var coveredGood = 0
        for (index, sample) in descending.enumerated() {
            covered += 1
            if sample.studentGood { coveredGood += 1 }
            let isLastOfTie = index + 1 == descending.count || descending[index + 1].score < sample.score
            guard isLastOfTie else { continue }
            let total = Double(samples.count)
            let quality = Double(coveredGood + samples.count - covered) / total
            points.append(CoveragePoint(
                threshold: sample.score, covered: covered, coverage: Double(covered) / total, quality: quality))
        }
        self.sampleCount = samples.count
        self.points = points
        self.auc = Self.areaUnderROC(Array(descending.reversed()))
    }

    /// The curve of `scores` (n) and `studentGood` (n), paired by index.
    public init(scores: [Double], studentGood: [Bool]) {
        precondition(scores.count == studentGood.count, "CoverageCurve: \(scores.count) scores but \(studentGood.count) labels")
        self.init(samples: zip(scores, studentGood).map { CoverageSample(score: $0, studentGood: $1) })
    }

    /// The point with the largest coverage whose quality ≥ 1 − `maxQualityLoss` (with 1e-9 of
    /// slack, so that targets like 0.99 reached exactly by counts are not missed by rounding);
    /// between equal coverages, the higher threshold. The +∞ point (coverage 0) when no
    /// threshold qualifies.
    public func operatingPoint(maxQualityLoss: Double) -> CoveragePoint {
        var best = points[0]
        for point in points.dropFirst() where point.coverage > best.coverage {
            if point.quality >= 1 - maxQualityLoss - 1e-9 { best = point }
        }
        return best
    }

    /// The threshold to serve with at `point` (one of ``points``): midway between its score
    /// and the next lower score on the curve (floored at 0, a probability's least). Every
    /// threshold in that gap gives the same coverage and quality on these samples; the middle
    /// keeps the widest margin on both sides, so a new request scored a little below the
    /// lowest covered sample (the full-data model's scores are not the out-of-fold ones the
    /// curve was built on) is still served, and one a little above the highest uncovered is
    /// still turned away. +∞ (serve nothing) stays +∞.
    public func marginThreshold(at point: CoveragePoint) -> Double {
        guard point.threshold.isFinite else { return point.threshold }
        let lower = points.first { $0.threshold < point.threshold }?.threshold ?? 0
        return (point.threshold + max(lower, 0)) / 2
    }

    /// Mann–Whitney AUC from midranks of the `ascending` samples: (R₊ − P(P+1)/2) / (P·N),
    /// R₊ the rank sum of the positives, each tie group sharing the mean of its ranks.
    private static func areaUnderROC(_ ascending: [CoverageSample]) -> Double? {
        let positives = ascending.count(where: \.studentGood)
        let negatives = ascending.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        var positiveRankSum = 0.0
        var start = 0
        while start < ascending.count {
            var end = start
            while end < ascending.count, ascending[end].score == ascending[start].score { end += 1 }
            let midrank = Double(start + 1 + end) / 2  // ranks start + 1 … end, averaged
            positiveRankSum += midrank * Double(ascending[start..<end].count(where: \.studentGood))
            start = end
        }
        let positiveCount = Double(positives)
        return (positiveRankSum - positiveCount * (positiveCount + 1) / 2) / (positiveCount * Double(negatives))
    }
}
