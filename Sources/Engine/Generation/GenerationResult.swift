/// Why generation ended (OpenAI's `finish_reason`).
public enum FinishReason: String, Sendable, Equatable {
    /// The model ended its turn or a stop sequence appeared (or the caller stopped it).
    case stop
    /// `max_tokens` or the context length was reached.
    case length
}

/// One generated token as streamed to the caller.
public struct GeneratedToken: Sendable, Equatable {
    /// The text this token completes: only whole UTF-8 characters, and never text that
    /// could still turn out to be part of a stop sequence; may be "".
    public var text: String
    /// The token id; −1 marks a final piece of held-back text (an incomplete character
    /// or a partial stop sequence flushed at the end) that belongs to no new token.
    public var tokenID: Int32
    /// The token's log-probability, when `logprobs` was asked for.
    public var logprob: TokenLogprob?
    /// The most likely alternatives at this position (`top_logprobs` of them).
    public var topLogprobs: [TokenLogprob]
}

/// The outcome of a whole generation.
public struct GenerationResult: Sendable, Equatable {
    /// The generated text, without the end-of-turn token or any stop sequence.
    public var text: String
    /// Why it ended.
    public var finishReason: FinishReason
    /// Tokens in the prompt (OpenAI `usage.prompt_tokens`).
    public var promptTokens: Int
    /// Tokens generated, including an end-of-turn token (`usage.completion_tokens`).
    public var completionTokens: Int
    /// The generated tokens, in order (with logprobs when asked for); the end-of-turn
    /// token and any final held-back piece are not included.
    public var tokens: [GeneratedToken]
    /// Whether the caller's `onToken` returned false and so ended generation early.
    public var cancelled: Bool
    /// Whether the caller's `afterPrefill` declined the prompt before any token.
    public var declined = false
}
