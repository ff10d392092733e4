import Foundation
import Serving
import Testing

@Suite struct RoutingFeaturesTests {
    @Test func statisticsOfFourTokens() {
        // probabilities 1, 0.5, 0.25, 0.8; sorted 0.25, 0.5, 0.8, 1: the 10th percentile is
        // at rank (4 − 1)·0.1 = 0.3, so 0.25 + 0.3·(0.5 − 0.25) = 0.325
        let statistics = RoutingFeatures.answerStatistics(logprobs: [0, log(0.5), log(0.25), log(0.8)])
        let expected: [Float] = [0.6375, 0.25, 0.325, Float(log(5.0)), 0.25]
        #expect(statistics.count == RoutingFeatures.answerStatisticNames.count)
        for (value, reference) in zip(statistics, expected) { #expect(abs(value - reference) < 1e-6) }
    }

    @Test func noTokensGiveZeros() {
        #expect(RoutingFeatures.answerStatistics(logprobs: []) == [0, 0, 0, 0, 0])
    }

    @Test func nonsenseLogprobsAreClamped() {
        let statistics = RoutingFeatures.answerStatistics(logprobs: [.nan, 0.5, -.infinity])
        #expect(statistics[0] == Float(1.0 / 3), "probabilities 0, 1 (clamped), 0")
        #expect(statistics[1] == 0 && statistics[4] == Float(2.0 / 3))
    }

    @Test func oneUnsureTokenShowsInTheMinimumNotTheMean() {
        let confident = [Double](repeating: log(0.99), count: 99)
        let statistics = RoutingFeatures.answerStatistics(logprobs: confident + [log(0.01)])
        #expect(statistics[0] > 0.97 && abs(statistics[1] - 0.01) < 1e-6 && abs(statistics[4] - 0.01) < 1e-6)
    }
}
