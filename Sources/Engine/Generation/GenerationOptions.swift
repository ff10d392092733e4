/// Sampling and stopping parameters for one generation (OpenAI's names in comments).
public struct GenerationOptions: Sendable, Equatable {
    /// `temperature`, 0…2; 0 is greedy (argmax). Default 1.
    public var temperature: Float
    /// `top_p`, (0, 1]: nucleus sampling mass. Default 1 (off).
    public var topP: Float
    /// Keep only the `topK` most likely tokens; 0 is off. Default 0.
    public var topK: Int
    /// `seed`: the same seed and options give the same tokens. `nil` draws one at random.
    public var seed: UInt64?
    /// `max_tokens` / `max_completion_tokens`; `nil` runs to the end of the context.
    public var maxTokens: Int?
    /// `stop`: up to 4 strings; the text ends before the first one generated.
    public var stop: [String]
    /// `logprobs`: report each token's log-probability.
    public var logprobs: Bool
    /// `top_logprobs`, 0…20: alternatives reported per token (needs `logprobs`).
    public var topLogprobs: Int
    /// `response_format` as a shape: when set, decoding is constrained so the text is a
    /// JSON value of this shape (``JSONTokenConstraint``) and ends when the value does.
    public var jsonShape: JSONShape?

    /// Options with OpenAI's defaults unless given.
    public init(temperature: Float = 1, topP: Float = 1, topK: Int = 0, seed: UInt64? = nil, maxTokens: Int? = nil,
                stop: [String] = [], logprobs: Bool = false, topLogprobs: Int = 0, jsonShape: JSONShape? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
        self.maxTokens = maxTokens
        self.stop = stop
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
        self.jsonShape = jsonShape
    }

    /// Greedy decoding (temperature 0).
    public static var greedy: GenerationOptions { GenerationOptions(temperature: 0) }

    /// Checks every parameter's range.
    /// - Throws: `EngineError.invalidParameter` naming the first bad parameter by its
    ///   OpenAI name.
    public func validate() throws {
        func fail(_ parameter: String, _ reason: String) -> EngineError {
            .invalidParameter(parameter: parameter, reason: reason)
        }
        guard temperature.isFinite, (0...2).contains(temperature) else {
            throw fail("temperature", "\(temperature) is not between 0 and 2")
        }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw fail("top_p", "\(topP) is not in (0, 1]") }
        guard topK >= 0 else { throw fail("top_k", "\(topK) is negative") }
        if let maxTokens, maxTokens < 1 { throw fail("max_tokens", "\(maxTokens) is less than 1") }
        guard stop.count <= 4 else { throw fail("stop", "\(stop.count) sequences given; at most 4 are allowed") }
        guard !stop.contains(where: \.isEmpty) else { throw fail("stop", "a stop sequence is empty") }
        guard (0...20).contains(topLogprobs) else { throw fail("top_logprobs", "\(topLogprobs) is not between 0 and 20") }
        guard topLogprobs == 0 || logprobs else { throw fail("top_logprobs", "requires logprobs to be true") }
        if let jsonShape, !jsonShape.isDeterministic {
            throw fail("response_format", "a oneOf whose alternatives start alike cannot be decoded by the student")
        }
    }
}
