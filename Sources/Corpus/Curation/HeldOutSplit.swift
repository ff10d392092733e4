import ChatAPI
import Foundation

/// Which part of the curated data an export reads.
public enum DatasetSplit: String, Sendable, CaseIterable {
    /// Every curated row whose prompt is not held out.
    case train
    /// The rows of a frozen held-out version.
    case test
}

/// The deterministic train/held-out assignment and its frozen versions.
///
/// A prompt is held out when its hash falls in the first `testPercent` of the hash
/// space, so the assignment needs no state and never leaks a prompt into both sides.
/// Freezing records the held-out rows of that moment as a numbered version: later
/// exchanges never change it, so every student is compared on the same rows.
public struct HeldOutVersion: Sendable, Equatable {
    /// Default share of prompts held out.
    public static let defaultTestPercent = 10.0

    /// Version number, from 1.
    public var version: Int
    /// Unix seconds when frozen.
    public var createdAt: Double
    /// Share of the prompt-hash space held out.
    public var testPercent: Double
    /// Exchanges in the version.
    public var rowCount: Int

    /// Whether the prompt with `promptHash` (hex SHA-256) belongs to the held-out side.
    public static func isHeldOut(promptHash: String, testPercent: Double) -> Bool {
        let prefix = promptHash.prefix(8)
        let value = UInt32(prefix, radix: 16)
            ?? UInt32(SHA256.hex(Array(promptHash.utf8)).prefix(8), radix: 16) ?? 0
        return Double(value) / 4_294_967_296.0 * 100 < testPercent
    }

    /// The latest frozen version, or nil.
    static func latest(in db: SQLiteDatabase) throws -> HeldOutVersion? {
        try db.fetchOne("SELECT \(columns) FROM heldout_splits ORDER BY version DESC LIMIT 1", [], HeldOutVersion.init(row:))
    }

    /// Version `number`, or nil.
    static func find(_ number: Int, in db: SQLiteDatabase) throws -> HeldOutVersion? {
        try db.fetchOne("SELECT \(columns) FROM heldout_splits WHERE version = ?", [number], HeldOutVersion.init(row:))
    }

    /// Freezes the held-out rows that `filter` selects now as a new version.
    static func freeze(in db: SQLiteDatabase, filter: CurationFilter, testPercent: Double, now: Date = Date()) throws -> HeldOutVersion {
        try db.transaction {
            let number = try db.fetchOne("SELECT coalesce(max(version), 0) + 1 AS next FROM heldout_splits") { try $0.int("next") } ?? 1
            let (sql, arguments) = ExportQuery.curatedKeys(filter)
            let select = try db.prepare(sql)
            try select.bind(arguments)
            let insert = try db.prepare("INSERT INTO heldout_rows (version, exchange_id, prompt_hash) VALUES (?,?,?)")
            var count = 0
            while try select.step() {
                let row = select.currentRow
                let id = try row.text("id"), hash = try row.text("prompt_hash")
                guard isHeldOut(promptHash: hash, testPercent: testPercent) else { continue }
                try insert.run([number, id, hash])
                count += 1
            }
            let created = now.timeIntervalSince1970
            try db.prepare("INSERT INTO heldout_splits (version, created_at, test_percent, criteria, row_count) VALUES (?,?,?,?,?)")
                .run([number, created, testPercent, filter.json.jsonString, count])
            return HeldOutVersion(version: number, createdAt: created, testPercent: testPercent, rowCount: count)
        }
    }

    /// A version record.
    public init(version: Int, createdAt: Double, testPercent: Double, rowCount: Int) {
        self.version = version
        self.createdAt = createdAt
        self.testPercent = testPercent
        self.rowCount = rowCount
    }

    /// Columns read by ``init(row:)``.
    static let columns = "version, created_at, test_percent, row_count"

    /// Decodes a row selected with ``columns``.
    init(row: SQLiteRow) throws(SQLiteError) {
        self.init(version: try row.int("version"), createdAt: try row.double("created_at"),
                  testPercent: try row.double("test_percent"), rowCount: try row.int("row_count"))
    }
}

extension SQLiteCorpus {
    /// Freezes a new held-out version from the rows `filter` selects now.
    public func freezeHeldOut(filter: CurationFilter = CurationFilter(),
                              testPercent: Double = HeldOutVersion.defaultTestPercent) throws -> HeldOutVersion {
        try withDatabase { try HeldOutVersion.freeze(in: $0, filter: filter, testPercent: testPercent) }
    }

    /// The latest frozen held-out version, or nil.
    public func latestHeldOut() throws -> HeldOutVersion? {
        try withDatabase { try HeldOutVersion.latest(in: $0) }
    }
}
