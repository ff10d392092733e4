import Serving
import Testing

@Suite struct QualityGateTests {
    static func good(samples: Int = 200) -> EvalMetrics {
        EvalMetrics(sampleCount: samples, exactMatch: 0.9, tokenF1: 0.95)
    }

    @Test func aGoodCandidatePasses() {
        let result = QualityGate().evaluate(Self.good())
        #expect(result.passed && result.failures.isEmpty)
    }

    @Test func tooFewSamplesFails() {
        let result = QualityGate().evaluate(Self.good(samples: 199))
        #expect(result.failures == [.tooFewSamples(have: 199, need: 200)])
        #expect(result.failures.first?.code == "too_few_samples")
    }

    @Test func thresholdsAtTheBoundaryPass() {
        var thresholds = QualityGateThresholds()
        thresholds.minimumExactMatch = 0.75
        thresholds.minimumTokenF1 = 0.5
        let gate = QualityGate(thresholds: thresholds)
        #expect(gate.evaluate(EvalMetrics(sampleCount: 200, exactMatch: 0.75, tokenF1: 0.5)).passed)
        let below = gate.evaluate(EvalMetrics(sampleCount: 200, exactMatch: 0.7499, tokenF1: 0.4999))
        #expect(below.failures == [
            .exactMatchBelow(value: 0.7499, threshold: 0.75), .tokenF1Below(value: 0.4999, threshold: 0.5),
        ])
    }

    @Test func disabledThresholdsAreSkipped() {
        var thresholds = QualityGateThresholds()
        thresholds.minimumTokenF1 = nil
        #expect(QualityGate(thresholds: thresholds).evaluate(EvalMetrics(sampleCount: 500, exactMatch: 0, tokenF1: 0)).passed)
    }

    @Test func jsonValidityAndRegression() {
        var metrics = Self.good()
        metrics.jsonSampleCount = 100
        metrics.jsonValidity = 0.99
        metrics.teacherJSONValidity = 1.0
        #expect(QualityGate().evaluate(metrics).passed, "0.99 and a 0.01 drop are both on the boundary")
        metrics.jsonValidity = 0.95
        #expect(QualityGate().evaluate(metrics).failures.map(\.code) == ["json_validity_below", "json_regression"])
        metrics.jsonSampleCount = 0
        #expect(QualityGate().evaluate(metrics).passed, "no JSON rows: nothing to check")
    }

    @Test func judgeIsOptionalUnlessRequired() {
        #expect(QualityGate().evaluate(Self.good()).passed)
        var thresholds = QualityGateThresholds()
        thresholds.requireJudge = true
        #expect(QualityGate(thresholds: thresholds).evaluate(Self.good()).failures == [.tooFewJudgments(have: 0, need: 30)])
    }

    @Test func judgedParityPassesAndLossesFail() {
        var metrics = Self.good()
        metrics.judged = JudgedOutcomes(wins: 40, ties: 120, losses: 40)
        #expect(QualityGate().evaluate(metrics).passed)
        metrics.judged = JudgedOutcomes(wins: 60, ties: 40, losses: 100)
        let failures = QualityGate().evaluate(metrics).failures
        #expect(failures.map(\.code) == ["judged_win_rate_below"])
    }

    @Test func winRateAndItsLowerBound() throws {
        let outcomes = JudgedOutcomes(wins: 3, ties: 2, losses: 1)
        #expect(outcomes.count == 6 && outcomes.winRate == 4.0 / 6)
        // Scores 1,1,1,.5,.5,0: mean 2/3, sample variance 1/6, sd of mean = sqrt(1/36) = 1/6.
        let lower = try #require(outcomes.winRateLowerBound)
        let expected: Double = 2.0 / 3 - 1.96 / 6
        #expect(abs(lower - expected) < 1e-12)
        #expect(JudgedOutcomes().winRate == nil && JudgedOutcomes().winRateLowerBound == nil)
        #expect(JudgedOutcomes(wins: 1).winRateLowerBound == 0)
        #expect(JudgedOutcomes(ties: 50).winRateLowerBound == 0.5)
    }

    @Test func accumulatorScoresRows() throws {
        var accumulator = EvalAccumulator()
        #expect(accumulator.metrics.sampleCount == 0 && accumulator.metrics.exactMatch == 0)
        accumulator.add(student: "Paris", teacher: "paris", judgment: .tie)
        accumulator.add(student: "{\"a\":1}", teacher: "{\"a\": 1}", wantsJSON: true, judgment: .win)
        accumulator.add(student: "{oops", teacher: "{\"a\":2}", wantsJSON: true)
        let metrics = accumulator.metrics
        #expect(metrics.sampleCount == 3)
        #expect(abs(metrics.exactMatch - 1.0 / 3) < 1e-12)
        #expect(metrics.jsonSampleCount == 2 && metrics.jsonValidity == 0.5 && metrics.teacherJSONValidity == 1)
        #expect(metrics.judged == JudgedOutcomes(wins: 1, ties: 1, losses: 0))
        let f1Oops = TextScoring.tokenF1("{oops", "{\"a\":2}")
        #expect(abs(metrics.tokenF1 - (1 + 1 + f1Oops) / 3) < 1e-12)
    }
}
