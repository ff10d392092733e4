/// What to do with an example longer than the maximum sequence length.
public enum OverlongPolicy: String, Sendable, Equatable, CaseIterable {
    /// Leave the example out (default): a cut answer would teach the student to stop mid-sentence
    /// without its end-of-turn token, and a cut prompt is not what serving sends.
    case skip
    /// Keep the whole prompt and cut the answer (and its end token) to fit, when at least
    /// one answer token still fits.
    case truncateCompletion = "truncate-completion"
}

/// An SFT example as token ids: the input sequence and its masked next-token targets.
public struct EncodedExample: Sendable, Equatable {
    /// Provenance (the exchange id).
    public var id: String
    /// Inputs and targets; targets are `CrossEntropy.ignored` on every prompt position.
    public var sequence: TrainingSequence
    /// Tokens of the serving prompt (a prefix of the full sequence).
    public var promptTokens: Int
    /// Answer tokens trained on, including the end-of-turn token unless truncated.
    public var completionTokens: Int
    /// Whether the answer was cut to fit.
    public var truncated: Bool
}

/// A preference pair as token ids: one prompt, two completions, each a full sequence.
public struct EncodedPair: Sendable, Equatable {
    /// Provenance (the preference pair id).
    public var id: String
    /// The preferred answer's sequence (targets masked to the answer).
    public var chosen: TrainingSequence
    /// The dispreferred answer's sequence (same prompt, targets masked to the answer).
    public var rejected: TrainingSequence
    /// Tokens of the shared prompt.
    public var promptTokens: Int
}

/// Why an example was not encoded.
public enum SkipReason: String, Error, Sendable, Equatable, CaseIterable {
    /// Prompt plus answer exceed the maximum length (policy `skip`), or the prompt alone does.
    case tooLong = "too_long"
    /// The answer is empty.
    case emptyCompletion = "empty_completion"
    /// Chosen and rejected answers are the same text.
    case identicalPair = "identical_pair"
}
