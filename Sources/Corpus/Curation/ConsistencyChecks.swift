/// Self-consistency checks (`retort check-consistency`): which train-split exchanges the
/// teacher was asked again, and whether its second answer matched the logged one.
extension SQLiteCorpus {
    /// Stores the check of exchange `exchangeID` (a later check replaces it).
    public func recordConsistencyCheck(exchangeID: String, temperature: Double, agreed: Bool, answer: String?,
                                       at time: Double) throws {
        try withDatabase { db in
            try db.prepare("""
                INSERT OR REPLACE INTO consistency_checks (exchange_id, checked_at, temperature, agreed, answer) VALUES (?,?,?,?,?)
                """).run([exchangeID, time, temperature, agreed, answer])
        }
    }

    /// The ids among `exchangeIDs` that have been checked.
    public func checkedForConsistency(_ exchangeIDs: [String]) throws -> Set<String> {
        try withDatabase { db in
            Set(try db.fetchAll("SELECT exchange_id FROM consistency_checks", []) { try $0.text("exchange_id") })
        }.intersection(exchangeIDs)
    }
}
