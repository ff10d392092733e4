import Foundation

/// One token with its log-probability, for `logprobs`/`top_logprobs`.
public struct TokenLogprob: Sendable, Equatable {
    /// The token id.
    public var tokenID: Int32
    /// The token as text (control tokens by name; partial UTF-8 as U+FFFD).
    public var token: String
    /// The token's raw bytes (OpenAI's `bytes`).
    public var bytes: [UInt8]
    /// log-softmax of the model's logits (temperature 1) at this position.
    public var logprob: Float
}

/// Picks the next token from logits (llama2.c style: the random number comes in as an
/// argument, so the sampler itself is a pure function).
public enum Sampler {
    /// Samples a token id.
    /// - Parameters:
    ///   - logits: (V)
    ///   - random: a uniform number in [0, 1); unused when `temperature` is 0
    public static func sample(logits: UnsafeBufferPointer<Float>, temperature: Float, topP: Float, topK: Int,
                              random: Float) -> Int32 {
        guard temperature > 0 else { return argmax(logits) }
        var maximum = -Float.infinity
        for value in logits { maximum = max(maximum, value) }
        // Unnormalized probabilities at this temperature.
        var candidates: [(id: Int32, weight: Float)] = []
        candidates.reserveCapacity(logits.count)
        let inverseTemperature = 1 / temperature
        for (index, value) in logits.enumerated() {
            candidates.append((Int32(index), exp((value - maximum) * inverseTemperature)))
        }
        if topK > 0 || topP < 1 {
            candidates = truncate(candidates, topP: topP, topK: topK)
        }
        let total = candidates.reduce(0) { $0 + $1.weight }
        var threshold = random * total
        for candidate in candidates {
            threshold -= candidate.weight
            if threshold < 0 { return candidate.id }
        }
        return candidates.last?.id ?? argmax(logits)
    }

    /// Keeps the `topK` heaviest candidates, then the smallest prefix holding `topP` of
    /// the remaining mass; the result is sorted heaviest first.
    static func truncate(_ candidates: [(id: Int32, weight: Float)], topP: Float, topK: Int) -> [(id: Int32, weight: Float)] {
        var kept = candidates
        if topP < 1 {
            // Tokens below (1 − topP)/(V − 1) of the mass can never be in the nucleus
            // (llama2.c's cut), which keeps the sort small.
            let total = kept.reduce(0) { $0 + $1.weight }
            let cutoff = (1 - topP) / Float(max(1, kept.count - 1)) * total
            kept = kept.filter { $0.weight >= cutoff }
        }
        kept.sort { $0.weight > $1.weight || ($0.weight == $1.weight && $0.id < $1.id) }
        if topK > 0, kept.count > topK { kept.removeSubrange(topK...) }
        if topP < 1 {
            let total = kept.reduce(0) { $0 + $1.weight }
            var cumulative: Float = 0
            for (index, candidate) in kept.enumerated() {
                cumulative += candidate.weight
                if cumulative >= topP * total {
                    kept.removeSubrange((index + 1)...)
                    break
                }
            }
        }
        return kept
    }

    /// The index of the largest logit (the first, on ties).
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        for index in logits.indices where logits[index] > logits[best] { best = index }
        return Int32(best)
    }

    /// log-softmax of `logits` at `token`, and the `top` most likely tokens as
    /// (id, logprob) pairs, most likely first.
    public static func logprobs(logits: UnsafeBufferPointer<Float>, token: Int32, top: Int)
        -> (logprob: Float, top: [(id: Int32, logprob: Float)]) {
        var maximum = -Float.infinity
        for value in logits { maximum = max(maximum, value) }
        var sum: Double = 0
        for value in logits { sum += Double(exp(value - maximum)) }
        let logNormalizer = maximum + Float(log(sum))
        var best: [(id: Int32, logit: Float)] = []
        if top > 0 {
            for (index, value) in logits.enumerated() where best.count < top || value > best[best.count - 1].logit {
                let position = best.firstIndex { value > $0.logit } ?? best.count
                best.insert((Int32(index), value), at: position)
                if best.count > top { best.removeLast() }
            }
        }
        return (logits[Int(token)] - logNormalizer, best.map { ($0.id, $0.logit - logNormalizer) })
    }
}
