/// One preference: two answers to the same prompt, each a full sequence (prompt +
/// answer) whose targets mask out the prompt, so a sequence's log-probability sums only
/// the answer's tokens (facts/distillation.md §11.2).
public struct PreferencePair: Sendable, Equatable {
    /// The preferred answer y_w.
    public var chosen: TrainingSequence
    /// The dispreferred answer y_l.
    public var rejected: TrainingSequence
    /// How much the pair counts in the batch objective (by its provenance; 1 by default).
    public var weight: Float

    /// A pair; both sequences should start with the same prompt tokens.
    public init(chosen: TrainingSequence, rejected: TrainingSequence, weight: Float = 1) {
        self.chosen = chosen
        self.rejected = rejected
        self.weight = weight
    }
}

/// The reference model's sequence log-probabilities of a pair, log π_ref(y|x) summed
/// over answer tokens. Computed once per pair (`DPOTrainer.referenceLogProbs`) and
/// valid as long as the reference does not change: store it with the pair.
public struct ReferenceLogProbs: Sendable, Equatable, Codable {
    /// log π_ref(y_w | x).
    public var chosen: Float
    /// log π_ref(y_l | x).
    public var rejected: Float

    /// Cached values.
    public init(chosen: Float, rejected: Float) {
        self.chosen = chosen
        self.rejected = rejected
    }
}
