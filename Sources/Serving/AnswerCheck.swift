import ChatAPI

/// The student's answer (or, for a stream, its first tokens) as the checks see it.
public struct StudentAnswer: Sendable, Hashable, Codable {
    /// The generated text so far.
    public var text: String
    /// The OpenAI `finish_reason` (`stop`, `length`, ...); nil while still generating.
    public var finishReason: String?
    /// The natural-log probability of each generated token.
    public var tokenLogprobs: [Double]
    /// Whether this is the whole answer; false for a stream's buffered first tokens.
    public var isComplete: Bool

    /// Describes an answer.
    public init(text: String, finishReason: String?, tokenLogprobs: [Double] = [], isComplete: Bool = true) {
        self.text = text
        self.finishReason = finishReason
        self.tokenLogprobs = tokenLogprobs
        self.isComplete = isComplete
    }
}

/// Answer-check settings.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `confidenceQuantile` | `Double` | `0.1` | which low quantile of the token probabilities is the confidence score (0 = the minimum) |
/// | `minimumConfidence` | `Double?` | `0.1` | fall back when the score is below this; nil turns the check off. Calibrate on shadow data with ``AnswerCheck/calibratedThreshold(scores:fallbackRate:)`` |
/// | `rejectEmpty` | `Bool` | `true` | fall back on a complete answer that is empty or whitespace |
public struct AnswerCheckConfiguration: Sendable, Hashable, Codable {
    /// The quantile of token probabilities used as the confidence score.
    public var confidenceQuantile: Double
    /// The score under which the teacher takes over; nil disables the check.
    public var minimumConfidence: Double?
    /// Whether an empty complete answer falls back.
    public var rejectEmpty: Bool

    /// Creates a configuration; throws when a value is outside 0…1.
    public init(confidenceQuantile: Double = 0.1, minimumConfidence: Double? = 0.1, rejectEmpty: Bool = true) throws(ServingError) {
        guard confidenceQuantile.isFinite, (0...1).contains(confidenceQuantile) else {
            throw .invalidConfiguration(key: "confidenceQuantile", reason: "must be in 0...1")
        }
        if let minimumConfidence, !(0...1).contains(minimumConfidence) {
            throw .invalidConfiguration(key: "minimumConfidence", reason: "must be in 0...1")
        }
        self.confidenceQuantile = confidenceQuantile
        self.minimumConfidence = minimumConfidence
        self.rejectEmpty = rejectEmpty
    }
}

/// Checks a student's answer before anything is sent to the client. Pure.
///
/// Order, first failure wins: `finish_reason` `length`; empty answer; JSON (a complete answer
/// must be valid JSON, a partial one a valid JSON prefix); low confidence.
public struct AnswerCheck: Sendable, Hashable {
    /// Settings.
    public var configuration: AnswerCheckConfiguration

    /// Creates a checker.
    public init(configuration: AnswerCheckConfiguration) {
        self.configuration = configuration
    }

    /// The outcome of the checks, with the confidence score for logging and calibration.
    public struct Result: Sendable, Hashable, Codable {
        /// Why the teacher must take over; nil when the answer may be sent.
        public var fallback: FallbackReason?
        /// The confidence score; nil when there were no token logprobs.
        public var confidence: Double?
        /// Whether the answer may be sent.
        public var accepted: Bool { fallback == nil }
    }

    /// Runs the checks of `plan` on `answer`.
    public func check(_ answer: StudentAnswer, plan: AnswerCheckPlan) -> Result {
        let confidence = Self.confidence(logprobs: answer.tokenLogprobs, quantile: configuration.confidenceQuantile)
        return Result(fallback: firstFailure(answer, plan: plan, confidence: confidence), confidence: confidence)
    }

    private func firstFailure(_ answer: StudentAnswer, plan: AnswerCheckPlan, confidence: Double?) -> FallbackReason? {
        if answer.finishReason == "length" { return .finishLength }
        if answer.isComplete, configuration.rejectEmpty, answer.text.allSatisfy(\.isWhitespace) {
            return .emptyAnswer
        }
        if plan.requireJSON {
            switch JSONValidator.validate(answer.text) {
            case .valid: break
            case .incomplete: if answer.isComplete { return .invalidJSON }
            case .invalid: return .invalidJSON
            }
        }
        if let minimum = configuration.minimumConfidence, let confidence, confidence < minimum {
            return .lowConfidence
        }
        return nil
    }

    /// The `quantile` of the token probabilities `exp(logprob)`; nil for no tokens.
    /// A low quantile rather than the mean, because the mean hides one bad token in a long
    /// answer (Gupta et al., "Language model cascades: token-level uncertainty and beyond").
    public static func confidence(logprobs: [Double], quantile: Double) -> Double? {
        ServingStatistics.quantile(logprobs.map(naturalExp), quantile)
    }

    /// The threshold that sends about `fallbackRate` of answers to the teacher, given the
    /// confidence scores of answers seen in shadow (RouteLLM-style calibration by quantile).
    public static func calibratedThreshold(scores: [Double], fallbackRate: Double) -> Double? {
        ServingStatistics.quantile(scores, fallbackRate)
    }
}
