extension StudentModel {
    /// Generates a continuation of already-tokenized `promptTokens` (see
    /// `generate(messages:options:onToken:)`).
    ///
    /// `afterPrefill`, when given, sees the prompt's final hidden state (C) once the prompt is
    /// in the cache and before the first token is sampled; returning false ends the
    /// generation there (an ex-ante routing decision that costs no generated token): the
    /// result is then empty and marked `declined`.
    ///
    /// `afterPrefill` comes last so that a trailing closure is always `onToken`.
    public func generate(promptTokens prompt: [Int32], options: GenerationOptions,
                         onToken: (GeneratedToken) -> Bool = { _ in true },
                         afterPrefill: (([Float]) -> Bool)? = nil) throws -> GenerationResult {
        try options.validate()
        guard !prompt.isEmpty else { throw EngineError.invalidParameter(parameter: "messages", reason: "the prompt is empty") }
        guard prompt.count < contextLength else {
            throw EngineError.promptTooLong(promptTokens: prompt.count, contextLength: contextLength)
        }
        let budget = min(options.maxTokens ?? .max, contextLength - prompt.count)
        let session = model.makeSession(capacity: prompt.count + min(budget, 512))
        var random = SeededGenerator(seed: options.seed ?? UInt64.random(in: .min ... .max))
        var decoder = UTF8StreamDecoder(), stops = StopSequenceMatcher(stops: options.stop)
        var result = GenerationResult(text: "", finishReason: .length, promptTokens: prompt.count,
                                      completionTokens: 0, tokens: [], cancelled: false)
        defer { withExtendedLifetime(session) {} }  // `logits` points into the session
        var constraint = options.jsonShape.map { JSONTokenConstraint(shape: $0, trie: tokenTrie) }
        var logits = try session.forwardInPlace(prompt)
        if let afterPrefill, !afterPrefill(session.finalHiddenState()) {
            result.finishReason = .stop
            result.declined = true
            return result
        }
        var stoppedBySequence = false
        while result.completionTokens < budget {
            constraint?.mask(UnsafeMutableBufferPointer(mutating: logits), stopIDs: tokenizer.stopIDs)
            let token = Sampler.sample(logits: logits, temperature: options.temperature, topP: options.topP,
                                       topK: options.topK, random: random.nextUnit())
            result.completionTokens += 1
            if tokenizer.stopIDs.contains(token) {
                result.finishReason = .stop
                break
            }
            let (text, stopped) = stops.feed(decoder.append(tokenizer.bytes(of: token)))
            var generated = GeneratedToken(text: text, tokenID: token, logprob: nil, topLogprobs: [])
            if options.logprobs { attachLogprobs(&generated, logits: logits, top: options.topLogprobs) }
            result.text += text
            result.tokens.append(generated)
            stoppedBySequence = stopped
            if stopped { result.finishReason = .stop }
            // A constrained value that is whole can only be followed by whitespace: it ends here.
            var valueComplete = false
            if constraint != nil {
                constraint!.accept(token)
                valueComplete = constraint!.isComplete
                if valueComplete { result.finishReason = .stop }
            }
            if !onToken(generated) { result.cancelled = true }
            if stopped || valueComplete || result.cancelled || result.completionTokens == budget { break }
            logits = try session.forwardInPlace([token])
        }
        if !stoppedBySequence, !result.cancelled {
            let (flushed, stopped) = stops.feed(decoder.flush())
            let tail = flushed + (stopped ? "" : stops.flush())
            if stopped { result.finishReason = .stop }
            if !tail.isEmpty { emitTail(tail, &result, onToken) }
        }
        if result.cancelled { result.finishReason = .stop }
        return result
    }

    /// Reports text still held back at the end as a last, token-less piece.
    private func emitTail(_ tail: String, _ result: inout GenerationResult, _ onToken: (GeneratedToken) -> Bool) {
        result.text += tail
        let piece = GeneratedToken(text: tail, tokenID: -1, logprob: nil, topLogprobs: [])
        _ = onToken(piece)
    }

    private func attachLogprobs(_ token: inout GeneratedToken, logits: UnsafeBufferPointer<Float>, top: Int) {
        let (logprob, alternatives) = Sampler.logprobs(logits: logits, token: token.tokenID, top: top)
        token.logprob = describe(token.tokenID, logprob)
        token.topLogprobs = alternatives.map { describe($0.id, $0.logprob) }
    }

    private func describe(_ id: Int32, _ logprob: Float) -> TokenLogprob {
        TokenLogprob(tokenID: id, token: tokenizer.displayText(of: id), bytes: tokenizer.bytes(of: id), logprob: logprob)
    }
}
