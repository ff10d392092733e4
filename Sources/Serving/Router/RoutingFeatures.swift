/// Post-hoc routing features: a fixed-length summary of the token probabilities of a student
/// answer, to feed a ``RouterModel`` alone or appended to the prompt's hidden state.
///
/// Low quantiles and the minimum are there besides the mean because the mean hides one bad
/// token in a long answer (Gupta et al., "Language model cascades: token-level uncertainty
/// and beyond"); the length lets the model correct for the rest of that length bias.
public enum RoutingFeatures {
    /// A token counts as unsure below this probability.
    public static let lowProbability = 0.5

    /// What each value of ``answerStatistics(logprobs:)`` is, in order.
    public static let answerStatisticNames = [
        "mean_probability", "min_probability", "p10_probability", "log1p_tokens", "low_probability_share",
    ]

    /// From `logprobs` (T, natural log-probabilities of the answer's tokens) the vector (5):
    /// mean, minimum and 10th percentile (linear interpolation, ``ServingStatistics/quantile(_:_:)``)
    /// of the token probabilities p = e^logprob; log(1 + T); the share of tokens with p < 0.5.
    /// A NaN log-probability counts as p = 0 and probabilities are clamped to 0…1. For no
    /// tokens every value is 0 (an empty answer is a hard fallback anyway, see ``AnswerCheck``).
    public static func answerStatistics(logprobs: [Double]) -> [Float] {
        let probabilities = logprobs.map(probability(ofLogprob:))  // (T)
        guard let minimum = probabilities.min(), let tenth = ServingStatistics.quantile(probabilities, 0.1) else {
            return [Float](repeating: 0, count: answerStatisticNames.count)
        }
        let count = Double(probabilities.count)
        let mean = probabilities.reduce(0, +) / count
        let unsure = Double(probabilities.count(where: { $0 < lowProbability })) / count
        return [mean, minimum, tenth, naturalLog1p(count), unsure].map { Float($0) }
    }

    private static func probability(ofLogprob logprob: Double) -> Double {
        let probability = naturalExp(logprob)
        return probability.isNaN ? 0 : min(max(probability, 0), 1)
    }
}
