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
        guard let base = logits.baseAddress, !logits.isEmpty else { return 0 }
        // Unnormalized probabilities at this temperature: exp((logit − max) / T).
        let inverseTemperature = 1 / temperature
        let shift = VectorMath.maximum(base, count: logits.count) * inverseTemperature
        var weights = logits.map { $0 * inverseTemperature }
        weights.withUnsafeMutableBufferPointer { buffer in
            if let start = buffer.baseAddress {
                VectorMath.scaledExponentials(start, count: buffer.count, shift: shift, scale: 1)
            }
        }
        guard topK > 0 || topP < 1 else { return pick(weights, random).map(Int32.init) ?? argmax(logits) }
        let kept = truncate(weights.enumerated().map { (Int32($0), $1) }, topP: topP, topK: topK)
        return pick(kept.map(\.weight), random).map { kept[$0].id } ?? argmax(logits)
    }

    /// The index where `random` · (total weight) falls, walking the weights in order; the
    /// last positive one when rounding leaves some of the threshold, nil if all are zero.
    private static func pick(_ weights: [Float], _ random: Float) -> Int? {
        var threshold = random * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            threshold -= weight
            if threshold < 0 { return index }
        }
        return weights.lastIndex { $0 > 0 }
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
        guard let base = logits.baseAddress, !logits.isEmpty else { return 0 }
        let maximum = VectorMath.maximum(base, count: logits.count)
        return Int32(logits.firstIndex(of: maximum) ?? 0)
    }

    /// log-softmax of `logits` at `token`, and the `top` most likely tokens as
    /// (id, logprob) pairs, most likely first.
    public static func logprobs(logits: UnsafeBufferPointer<Float>, token: Int32, top: Int)
        -> (logprob: Float, top: [(id: Int32, logprob: Float)]) {
        guard let base = logits.baseAddress, logits.indices.contains(Int(token)) else { return (-.infinity, []) }
        let maximum = VectorMath.maximum(base, count: logits.count)
        let logNormalizer = maximum + log(VectorMath.sumOfExponentials(base, count: logits.count, shift: maximum))
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
