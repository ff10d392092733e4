extension TrainingDataReader {
    /// How many curated train exchanges and preference pairs exist now, reading only ids and
    /// prompt hashes (cheap enough for the automatic schedule's timer). Prompts of frozen
    /// held-out versions and of the held-out hash range are not counted.
    public func eligibleCounts() throws -> (exchanges: Int, pairs: Int) {
        try reader.withDatabase { db in
            let percent = try HeldOutVersion.latest(in: db)?.testPercent ?? HeldOutVersion.defaultTestPercent
            let heldOut = Set(try db.query("SELECT DISTINCT prompt_hash FROM heldout_rows").compactMap { $0.first?.string })
            let (sql, arguments) = ExportQuery.curatedKeys(curation)
            let statement = try db.prepare(sql)
            try statement.bind(arguments)
            var exchanges = 0
            while try statement.step() {
                guard let hash = statement.column(1).string, !heldOut.contains(hash),
                      !HeldOutVersion.isHeldOut(promptHash: hash, testPercent: percent) else { continue }
                exchanges += 1
            }
            var pairs = 0
            for row in try db.query("SELECT prompt_hash FROM preference_pairs") {
                guard let hash = row.first?.string, !heldOut.contains(hash),
                      !HeldOutVersion.isHeldOut(promptHash: hash, testPercent: percent) else { continue }
                pairs += 1
            }
            return (exchanges, pairs)
        }
    }
}
