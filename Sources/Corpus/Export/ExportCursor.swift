import ChatAPI

/// Reads an export row by row over its own connection, so a million-row export
/// streams in constant memory and never holds the reader's lock.
///
/// Not `Sendable`: it owns its statement; use it from one task.
public final class ExportCursor {
    private let database: SQLiteDatabase
    private let statement: SQLiteStatement
    /// What is being exported.
    public let request: ExportRequest
    /// The held-out version read (test split) or excluded (train split), if any.
    public let heldOut: HeldOutVersion?
    /// Share of prompt hashes held out, excluded from the train split.
    private let trainExcludesPercent: Double?
    /// Lines produced so far.
    public private(set) var linesWritten = 0
    /// Rows read but not exportable (unparsable, no answer, held out).
    public private(set) var rowsSkipped = 0
    /// Set at the end: stepping a finished statement again would restart it.
    private var finished = false

    /// Opens the corpus at `path` and prepares the export. For the test split with
    /// no version given, the latest held-out version is used, frozen now if none exists.
    public init(path: String, request: ExportRequest) throws {
        database = try SQLiteDatabase.openCorpus(path: path)
        self.request = request
        heldOut = try Self.heldOutVersion(database, request)
        trainExcludesPercent = request.split == .train ? (heldOut?.testPercent ?? HeldOutVersion.defaultTestPercent) : nil
        let (sql, arguments) = request.format.readsPairs
            ? ExportQuery.pairs(request.curation, split: request.split, heldOut: heldOut?.version)
            : ExportQuery.exchanges(request.curation, split: request.split, heldOut: heldOut?.version)
        statement = try database.prepare(sql)
        try statement.bind(arguments)
    }

    private static func heldOutVersion(_ db: SQLiteDatabase, _ request: ExportRequest) throws -> HeldOutVersion? {
        switch request.split {
        case .test?:
            if let number = request.heldOutVersion {
                guard let version = try HeldOutVersion.find(number, in: db) else {
                    throw CorpusError.notFound("No held-out version \(number).", parameter: "version")
                }
                return version
            }
            let curation = request.format == .raw ? CurationFilter() : request.curation
            return try HeldOutVersion.latest(in: db)
                ?? HeldOutVersion.freeze(in: db, filter: curation, testPercent: HeldOutVersion.defaultTestPercent)
        case .train?: return try HeldOutVersion.latest(in: db)
        case nil: return nil
        }
    }

    /// The next line (without its newline), or nil at the end.
    public func nextLine() throws -> JSONValue? {
        while !finished {
            if let limit = request.limit, linesWritten >= limit { finished = true; break }
            guard try statement.step() else { finished = true; break }
            if let line = try render() {
                linesWritten += 1
                return line
            }
            rowsSkipped += 1
        }
        return nil
    }

    /// Up to about `maxBytes` of JSONL (whole lines, each ending in a newline), or nil at the end.
    public func nextChunk(maxBytes: Int = 64 * 1024) throws -> [UInt8]? {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(maxBytes + 4096)
        while chunk.count < maxBytes, let line = try nextLine() {
            line.write(into: &chunk)
            chunk.append(UInt8(ascii: "\n"))
        }
        return chunk.isEmpty ? nil : chunk
    }

    private func render() throws(SQLiteError) -> JSONValue? {
        if request.format.readsPairs {
            let row = try PairRow(row: statement.currentRow)
            if isExcludedFromTrain(row.promptHash) { return nil }
            return ExportRenderer.dpo(request.format, row)
        }
        let row = try ExportRow(row: statement.currentRow)
        if isExcludedFromTrain(row.promptHash) { return nil }
        return request.format == .raw ? ExportRenderer.raw(row) : ExportRenderer.sft(request.format, row)
    }

    private func isExcludedFromTrain(_ promptHash: String) -> Bool {
        guard let percent = trainExcludesPercent else { return false }
        return HeldOutVersion.isHeldOut(promptHash: promptHash, testPercent: percent)
    }
}

extension SQLiteDatabase {
    /// Opens the corpus at `path` with the corpus settings, migrated to the current schema.
    public static func openCorpus(path: String) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: path)
        try Migrations.configure(database)
        try Migrations.migrate(database)
        return database
    }
}
