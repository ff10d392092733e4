import Foundation
import Serving
import Testing

@Suite struct SelectiveGateTests {
    /// `count` samples with descending scores; the student is good on all but `badRanks` (0 = top score).
    static func curve(count: Int, badRanks: Set<Int>) -> CoverageCurve {
        CoverageCurve(
            scores: (0..<count).map { 1 - Double($0) / Double(count) },
            studentGood: (0..<count).map { !badRanks.contains($0) })
    }

    @Test func aGoodRouterPassesAtItsOperatingPoint() {
        // 100 samples, bad at ranks 30 and 60: serving down to rank 59 loses 1 point.
        let result = SelectiveGate().evaluate(Self.curve(count: 100, badRanks: [30, 60]))
        #expect(result.passed && result.failures.isEmpty)
        #expect(result.operatingPoint.covered == 60 && result.operatingPoint.coverage == 0.6)
        #expect(abs(result.operatingPoint.qualityLoss - 0.01) < 1e-12 && abs(result.operatingPoint.threshold - 0.41) < 1e-12)
    }

    @Test func tooFewSamplesFails() {
        let result = SelectiveGate().evaluate(Self.curve(count: 19, badRanks: []))
        #expect(result.failures == [.tooFewSamples(have: 19, need: 20)])
        #expect(result.failures.first?.code == "too_few_samples")
    }

    @Test func aBadTopScoreLeavesNoCoverage() {
        let result = SelectiveGate().evaluate(Self.curve(count: 50, badRanks: [0]))
        #expect(result.operatingPoint.threshold == .infinity)
        #expect(result.failures == [.coverageBelowMinimum(coverage: 0, minimum: 0.2)])
        #expect(result.failures.map(\.code) == ["coverage_below_minimum"])
    }

    @Test func coverageOnTheBoundaryPasses() {
        var thresholds = SelectiveGateThresholds()
        thresholds.maxQualityLoss = 0
        let gate = SelectiveGate(thresholds: thresholds)
        #expect(gate.evaluate(Self.curve(count: 50, badRanks: [10])).passed, "coverage 10/50 = 0.2")
        #expect(!gate.evaluate(Self.curve(count: 50, badRanks: [9])).passed, "coverage 9/50")
    }

    @Test func bothFailuresAreListedInOrder() {
        let result = SelectiveGate().evaluate(Self.curve(count: 5, badRanks: [0]))
        #expect(result.failures.map(\.code) == ["too_few_samples", "coverage_below_minimum"])
    }

    @Test func resultRoundTripsThroughJSON() throws {
        let result = SelectiveGate().evaluate(Self.curve(count: 50, badRanks: [0]))
        let decoded = try JSONDecoder().decode(SelectiveGateResult.self, from: JSONEncoder().encode(result))
        #expect(decoded == result && decoded.operatingPoint.threshold == .infinity)
    }
}
