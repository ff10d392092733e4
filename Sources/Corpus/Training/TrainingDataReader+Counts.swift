extension TrainingDataReader {
    /// How many curated train exchanges and preference pairs exist now, reading only ids and
    /// prompt hashes (cheap enough for the automatic schedule's timer). Prompts of frozen
    /// held-out versions and of the held-out hash range are not counted.
    public func eligibleCounts() throws -> (exchanges: Int, pairs: Int) {
        try reader.withDatabase { db in
            let percent = try HeldOutVersion.latest(in: db)?.testPercent ?? HeldOutVersion.defaultTestPercent
            let heldOut = Set(try db.fetchAll("SELECT DISTINCT prompt_hash FROM heldout_rows") { try $0.text("prompt_hash") })
            let (sql, arguments) = ExportQuery.curatedKeys(curation)
            let statement = try db.prepare(sql)
            try statement.bind(arguments)
            var exchanges = 0
            while try statement.step() {
                let hash = try statement.currentRow.text("prompt_hash")
                guard !heldOut.contains(hash), !HeldOutVersion.isHeldOut(promptHash: hash, testPercent: percent) else { continue }
                exchanges += 1
            }
            var pairs = 0
            for hash in try db.fetchAll("SELECT prompt_hash FROM preference_pairs", [], { try $0.text("prompt_hash") }) {
                guard !heldOut.contains(hash), !HeldOutVersion.isHeldOut(promptHash: hash, testPercent: percent) else { continue }
                pairs += 1
            }
            return (exchanges, pairs)
        }
    }
}
