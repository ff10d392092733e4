/// A learned per-request router: L2-regularised logistic regression over a feature vector
/// (the student's hidden state at the last prompt position, token-probability statistics of
/// its answer, or both), predicting the probability that the student's answer is good enough.
///
/// Fitted by ``fit(samples:labels:l2:iterations:)``; stored as JSON with the student version
/// it was trained for. Its ``probability(_:)`` is the score a ``CoverageCurve`` is built on.
public struct RouterModel: Sendable, Hashable {
    /// The standardisation the weights apply to.
    public let scaling: FeatureScaling
    /// One weight per standardised feature. (d)
    public let weights: [Double]
    /// The logit of a sample whose features all equal their training means.
    public let bias: Double
    /// When set, the model ignores its input and always answers this probability: what
    /// ``fit(samples:labels:l2:iterations:)`` returns when there is nothing to learn from.
    public let constantProbability: Double?

    /// A logistic model: P(good) = σ(bias + weights·scaling.standardized(x)).
    public init(scaling: FeatureScaling, weights: [Double], bias: Double) {
        precondition(weights.count == scaling.dimension, "RouterModel: \(weights.count) weights for \(scaling.dimension) features")
        precondition(weights.allSatisfy(\.isFinite) && bias.isFinite, "RouterModel: parameters must be finite")
        self.scaling = scaling
        self.weights = weights
        self.bias = bias
        self.constantProbability = nil
    }

    /// A model that ignores its input and always answers `probability` (0…1).
    public static func constant(_ probability: Double) -> RouterModel {
        RouterModel(constantProbability: probability)
    }

    private init(constantProbability: Double) {
        precondition((0...1).contains(constantProbability), "RouterModel: a probability must be in 0…1")
        self.scaling = FeatureScaling(means: [], scales: [])
        self.weights = []
        self.bias = 0
        self.constantProbability = constantProbability
    }

    /// Features per sample, d; 0 for a constant model, which accepts any input.
    public var dimension: Int { weights.count }

    /// P(the student's answer is good enough | `features`), in 0…1.
    /// - Warning: `features` must have ``dimension`` values (any count for a constant model);
    ///   a mismatch is a programmer error and traps. NaN or infinite features count as the mean.
    public func probability(_ features: [Float]) -> Double {
        if let constantProbability { return constantProbability }
        return logistic(logit(features))
    }

    /// bias + weights·x̃, the log-odds behind ``probability(_:)``; ±∞ for a constant model of 1 or 0.
    public func logit(_ features: [Float]) -> Double {
        if let constantProbability { return logOdds(constantProbability) }
        var logit = bias
        for (weight, value) in zip(weights, scaling.standardized(features)) { logit += weight * value }
        return logit
    }
}
