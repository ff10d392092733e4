import Foundation
import Serving
import Testing

@Suite struct CoverageCurveTests {
    /// Five held-out prompts; 0.8 is a tie between a good and a bad answer.
    static let curve = CoverageCurve(scores: [0.8, 0.3, 0.9, 0.6, 0.8], studentGood: [true, false, true, true, false])

    @Test func onePointPerDistinctThreshold() {
        // threshold  covered  good among covered  quality = (good + uncovered) / 5
        //   +∞          0            0             (0 + 5) / 5 = 1
        //   0.9         1            1             (1 + 4) / 5 = 1
        //   0.8         3            2             (2 + 2) / 5 = 0.8
        //   0.6         4            3             (3 + 1) / 5 = 0.8
        //   0.3         5            3             (3 + 0) / 5 = 0.6
        let curve = Self.curve
        #expect(curve.sampleCount == 5)
        #expect(curve.points.map(\.threshold) == [.infinity, 0.9, 0.8, 0.6, 0.3])
        #expect(curve.points.map(\.covered) == [0, 1, 3, 4, 5])
        #expect(curve.points.map(\.coverage) == [0, 0.2, 0.6, 0.8, 1])
        #expect(curve.points.map(\.quality) == [1, 1, 0.8, 0.8, 0.6])
        #expect(abs(curve.points[2].qualityLoss - 0.2) < 1e-12)
    }

    @Test func theServingThresholdSitsMidwayInTheGapBelowThePoint() {
        let curve = Self.curve
        #expect(abs(curve.marginThreshold(at: curve.points[1]) - 0.85) < 1e-12)  // between 0.9 and 0.8
        #expect(abs(curve.marginThreshold(at: curve.points[3]) - 0.45) < 1e-12)  // between 0.6 and 0.3
        #expect(abs(curve.marginThreshold(at: curve.points[4]) - 0.15) < 1e-12)  // the lowest: toward 0
        #expect(curve.marginThreshold(at: curve.points[0]) == .infinity)  // serve nothing stays so
        // Every threshold in the gap gives the point's coverage.
        let served = [0.8, 0.3, 0.9, 0.6, 0.8].filter { $0 >= curve.marginThreshold(at: curve.points[3]) }.count
        #expect(served == curve.points[3].covered)
        // Scores below 0 (a sentinel for turned-away prompts) do not pull it under 0.
        let sentinel = CoverageCurve(scores: [0.9, -1], studentGood: [true, false])
        #expect(abs(sentinel.marginThreshold(at: sentinel.points[1]) - 0.45) < 1e-12)
    }

    @Test func operatingPointTakesTheLargestCoverageWithinTheLoss() {
        #expect(Self.curve.operatingPoint(maxQualityLoss: 0).threshold == 0.9)
        #expect(Self.curve.operatingPoint(maxQualityLoss: 0.1).threshold == 0.9)
        #expect(Self.curve.operatingPoint(maxQualityLoss: 0.2).threshold == 0.6, "quality 0.8 is on the boundary")
        #expect(Self.curve.operatingPoint(maxQualityLoss: 0.4).threshold == 0.3)
    }

    @Test func noQualifyingThresholdServesNobody() {
        let curve = CoverageCurve(scores: [0.9, 0.1], studentGood: [false, true])
        let point = curve.operatingPoint(maxQualityLoss: 0.1)
        #expect(point.threshold == .infinity && point.coverage == 0 && point.quality == 1)
    }

    @Test func aucCountsTiesHalf() {
        // pairs (good, bad): (0.9, 0.8) 1, (0.9, 0.3) 1, (0.8, 0.8) ½, (0.8, 0.3) 1, (0.6, 0.8) 0, (0.6, 0.3) 1
        #expect(Self.curve.auc == 4.5 / 6)
        #expect(CoverageCurve(scores: [0.5, 0.5], studentGood: [true, false]).auc == 0.5)
        #expect(CoverageCurve(scores: [0.1, 0.9], studentGood: [false, true]).auc == 1)
        #expect(CoverageCurve(scores: [0.1, 0.9], studentGood: [true, true]).auc == nil)
    }

    @Test func noSamples() {
        let curve = CoverageCurve(samples: [])
        #expect(curve.points.count == 1 && curve.auc == nil)
        #expect(curve.operatingPoint(maxQualityLoss: 0.5).threshold == .infinity)
    }

    @Test func jsonWritesAnInfiniteThresholdAsNull() throws {
        let data = try JSONEncoder().encode(Self.curve)
        #expect(String(decoding: data, as: UTF8.self).contains(#""threshold":null"#))
        #expect(try JSONDecoder().decode(CoverageCurve.self, from: data) == Self.curve)
    }
}
