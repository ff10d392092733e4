import Serving
import Testing

@Suite struct AnswerCheckTests {
    static func checker(minimum: Double? = 0.1, quantile: Double = 0.1) throws -> AnswerCheck {
        AnswerCheck(configuration: try AnswerCheckConfiguration(confidenceQuantile: quantile, minimumConfidence: minimum))
    }

    static func logprob(_ probability: Double) -> Double {
        // ln without Foundation: a few values the tests need, precomputed.
        switch probability {
        case 1: 0
        case 0.5: -0.6931471805599453
        case 0.05: -2.995732273553991
        default: fatalError("add ln(\(probability))")
        }
    }

    @Test func acceptsAPlainAnswer() throws {
        let result = try Self.checker().check(
            StudentAnswer(text: "Paris", finishReason: "stop", tokenLogprobs: [0, Self.logprob(0.5)]), plan: AnswerCheckPlan())
        #expect(result.accepted && result.fallback == nil)
        #expect(abs((result.confidence ?? 0) - 0.55) < 1e-12)
    }

    @Test func finishLengthFallsBack() throws {
        let result = try Self.checker().check(StudentAnswer(text: "Par", finishReason: "length"), plan: AnswerCheckPlan())
        #expect(result.fallback == .finishLength)
    }

    @Test func emptyAnswerFallsBackOnlyWhenComplete() throws {
        let checker = try Self.checker()
        #expect(checker.check(StudentAnswer(text: " \n", finishReason: "stop"), plan: AnswerCheckPlan()).fallback == .emptyAnswer)
        #expect(checker.check(StudentAnswer(text: "", finishReason: nil, isComplete: false), plan: AnswerCheckPlan()).accepted)
        let lenient = AnswerCheck(configuration: try AnswerCheckConfiguration(rejectEmpty: false))
        #expect(lenient.check(StudentAnswer(text: "", finishReason: "stop"), plan: AnswerCheckPlan()).accepted)
    }

    @Test func jsonIsCheckedOnlyWhenAskedFor() throws {
        let checker = try Self.checker()
        let prose = StudentAnswer(text: "not json", finishReason: "stop")
        #expect(checker.check(prose, plan: AnswerCheckPlan(requireJSON: false)).accepted)
        #expect(checker.check(prose, plan: AnswerCheckPlan(requireJSON: true)).fallback == .invalidJSON)
        let json = StudentAnswer(text: "{\"a\": 1}", finishReason: "stop")
        #expect(checker.check(json, plan: AnswerCheckPlan(requireJSON: true)).accepted)
    }

    @Test func aStreamPrefixNeedsOnlyToBeAJSONPrefix() throws {
        let checker = try Self.checker()
        let plan = AnswerCheckPlan(requireJSON: true, bufferTokens: 8)
        #expect(checker.check(StudentAnswer(text: "{\"a\": [1,", finishReason: nil, isComplete: false), plan: plan).accepted)
        #expect(checker.check(StudentAnswer(text: "Sure! {", finishReason: nil, isComplete: false), plan: plan).fallback == .invalidJSON)
        #expect(checker.check(StudentAnswer(text: "{\"a\": [1,", finishReason: "stop"), plan: plan).fallback == .invalidJSON)
    }

    @Test func lowConfidenceFallsBack() throws {
        let checker = try Self.checker(minimum: 0.1, quantile: 0)
        let shaky = StudentAnswer(text: "x", finishReason: "stop", tokenLogprobs: [0, 0, Self.logprob(0.05), 0])
        let result = checker.check(shaky, plan: AnswerCheckPlan())
        #expect(result.fallback == .lowConfidence)
        #expect(abs((result.confidence ?? 0) - 0.05) < 1e-12)
    }

    @Test func confidenceExactlyAtTheThresholdPasses() throws {
        // exp(0) is exactly 1, so the score sits exactly on a threshold of 1.
        let checker = try Self.checker(minimum: 1, quantile: 0)
        let edge = StudentAnswer(text: "x", finishReason: "stop", tokenLogprobs: [0, 0])
        #expect(checker.check(edge, plan: AnswerCheckPlan()).confidence == 1)
        #expect(checker.check(edge, plan: AnswerCheckPlan()).accepted)
        let below = StudentAnswer(text: "x", finishReason: "stop", tokenLogprobs: [0, -1e-9])
        #expect(checker.check(below, plan: AnswerCheckPlan()).fallback == .lowConfidence)
    }

    @Test func noLogprobsOrDisabledCheckNeverFallsBackForConfidence() throws {
        let noTokens = StudentAnswer(text: "x", finishReason: "stop")
        #expect(try Self.checker().check(noTokens, plan: AnswerCheckPlan()).confidence == nil)
        #expect(try Self.checker().check(noTokens, plan: AnswerCheckPlan()).accepted)
        let shaky = StudentAnswer(text: "x", finishReason: "stop", tokenLogprobs: [Self.logprob(0.05)])
        #expect(try Self.checker(minimum: nil).check(shaky, plan: AnswerCheckPlan()).accepted)
    }

    @Test func lengthWinsOverOtherFailures() throws {
        let answer = StudentAnswer(text: "{", finishReason: "length", tokenLogprobs: [Self.logprob(0.05)])
        #expect(try Self.checker().check(answer, plan: AnswerCheckPlan(requireJSON: true)).fallback == .finishLength)
    }

    @Test func quantileInterpolatesLikeNumPy() {
        // numpy.quantile([1, 2, 3, 4], q) for q = 0, 0.1, 0.5, 1 → 1, 1.3, 2.5, 4.
        let values = [4.0, 1, 3, 2]
        #expect(ServingStatistics.quantile(values, 0) == 1)
        #expect(abs(ServingStatistics.quantile(values, 0.1)! - 1.3) < 1e-12)
        #expect(ServingStatistics.quantile(values, 0.5) == 2.5)
        #expect(ServingStatistics.quantile(values, 1) == 4)
        #expect(ServingStatistics.quantile(values, 7) == 4)
        #expect(ServingStatistics.quantile([], 0.5) == nil)
        #expect(ServingStatistics.quantile([9], 0.3) == 9)
    }

    @Test func calibrationHitsTheTargetRate() {
        let scores = (0..<1_000).map { Double($0) / 1_000 }
        let threshold = AnswerCheck.calibratedThreshold(scores: scores, fallbackRate: 0.2)!
        let fallBack = scores.filter { $0 < threshold }.count
        #expect((195...205).contains(fallBack))
        #expect(AnswerCheck.calibratedThreshold(scores: [], fallbackRate: 0.2) == nil)
    }

    @Test func rejectsBadSettings() {
        #expect(throws: ServingError.self) { try AnswerCheckConfiguration(confidenceQuantile: 2) }
        #expect(throws: ServingError.self) { try AnswerCheckConfiguration(minimumConfidence: -0.5) }
    }
}
