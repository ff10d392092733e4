import ChatAPI

/// What a run trained on, stored in its row: the held-out version excluded, how many
/// examples were read and used, and a SHA-256 of their ids in order, so a version can
/// always be traced back to (and compared by) its data.
public struct TrainingDataSnapshot: Sendable, Equatable {
    /// The held-out version whose prompts were excluded.
    public var heldOutVersion: Int
    /// Examples (exchanges or pairs) the corpus gave.
    public var available: Int
    /// Examples trained on (after encoding and length limits).
    public var used: Int
    /// Hex SHA-256 of the used ids joined by newlines.
    public var idsSHA256: String
    /// Curated train exchanges and pairs at snapshot time, for the automatic schedule.
    public var eligibleExchanges: Int, eligiblePairs: Int

    /// A snapshot of the `used` ids.
    public init(heldOutVersion: Int, available: Int, usedIDs: [String], eligibleExchanges: Int, eligiblePairs: Int) {
        self.heldOutVersion = heldOutVersion
        self.available = available
        used = usedIDs.count
        idsSHA256 = SHA256.hex(Array(usedIDs.joined(separator: "\n").utf8))
        self.eligibleExchanges = eligibleExchanges
        self.eligiblePairs = eligiblePairs
    }

    /// The snapshot as stored in `training_runs.data_snapshot`.
    public var json: JSONValue {
        .object([("held_out_version", .int(heldOutVersion)), ("available", .int(available)), ("used", .int(used)),
                 ("ids_sha256", .string(idsSHA256)), ("eligible_exchanges", .int(eligibleExchanges)),
                 ("eligible_pairs", .int(eligiblePairs))])
    }
}
