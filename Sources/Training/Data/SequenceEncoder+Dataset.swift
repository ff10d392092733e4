extension SequenceEncoder {
    /// Encodes every example, keeping order; the skipped ones are counted by reason.
    public func encodeAll(_ examples: [SFTExample]) -> (examples: [EncodedExample], skipped: [SkipReason: Int]) {
        Self.encodeEach(examples, encode)
    }

    /// Encodes every preference pair, keeping order; the skipped ones are counted by reason.
    public func encodeAll(_ pairs: [PreferenceExample]) -> (pairs: [EncodedPair], skipped: [SkipReason: Int]) {
        Self.encodeEach(pairs, encode)
    }

    private static func encodeEach<Input, Output>(
        _ items: [Input], _ encode: (Input) -> Result<Output, SkipReason>
    ) -> ([Output], [SkipReason: Int]) {
        var encoded: [Output] = [], skipped: [SkipReason: Int] = [:]
        encoded.reserveCapacity(items.count)
        for item in items {
            switch encode(item) {
            case .success(let value): encoded.append(value)
            case .failure(let reason): skipped[reason, default: 0] += 1
            }
        }
        return (encoded, skipped)
    }
}
