extension SequenceEncoder {
    /// Encodes every example, keeping order; the skipped ones are counted by reason.
    public func encodeAll(_ examples: [SFTExample]) -> (examples: [EncodedExample], skipped: [SkipReason: Int]) {
        var encoded: [EncodedExample] = [], skipped: [SkipReason: Int] = [:]
        encoded.reserveCapacity(examples.count)
        for example in examples {
            switch encode(example) {
            case .success(let value): encoded.append(value)
            case .failure(let reason): skipped[reason, default: 0] += 1
            }
        }
        return (encoded, skipped)
    }

    /// Encodes every preference pair, keeping order; the skipped ones are counted by reason.
    public func encodeAll(_ pairs: [PreferenceExample]) -> (pairs: [EncodedPair], skipped: [SkipReason: Int]) {
        var encoded: [EncodedPair] = [], skipped: [SkipReason: Int] = [:]
        encoded.reserveCapacity(pairs.count)
        for pair in pairs {
            switch encode(pair) {
            case .success(let value): encoded.append(value)
            case .failure(let reason): skipped[reason, default: 0] += 1
            }
        }
        return (encoded, skipped)
    }
}
