import ChatAPI
import Foundation

/// Read access to the corpus over its own connection, safe to share across tasks.
///
/// Queries are short and serialized by a lock; under WAL they never wait for the writer.
public final class CorpusReader: @unchecked Sendable {
    // @unchecked: `database` is only touched while holding `lock`.
    private let lock = NSLock()
    private let database: SQLiteDatabase

    /// Opens the database at `path` (which the ``ExchangeLog`` has created and migrated).
    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        try Migrations.configure(database)
    }

    /// Runs `body` with exclusive use of the connection.
    public func withDatabase<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(database)
    }

    static let selectColumns = """
        e.id, e.created_at, e.completed_at, e.route, e.served_by, e.served_reason, e.teacher_url, e.upstream_model,
        e.completion_id, e.status, e.error, e.latency_ms, e.ttft_ms, e.prompt_tokens, e.completion_tokens,
        e.total_tokens, e.finish_reason, e.stream, e.attempts, e.user, e.tags, e.metadata, e.prompt_hash,
        b.request, b.response
        """

    /// The exchange with `id`, or nil.
    public func exchange(id: String) throws -> ExchangeRecord? {
        try fetchOne("WHERE e.id = ?", id)
    }

    /// The exchange whose chat completion `id` is `completionID` (the latest if several), or nil.
    public func exchange(completionID: String) throws -> ExchangeRecord? {
        try fetchOne("WHERE e.completion_id = ? ORDER BY e.created_at DESC", completionID)
    }

    /// Number of logged exchanges.
    public func exchangeCount() throws -> Int {
        try withDatabase { try $0.query("SELECT count(*) FROM exchanges").first?.first?.int ?? 0 }
    }

    private func fetchOne(_ clause: String, _ argument: String) throws -> ExchangeRecord? {
        try withDatabase { db in
            let sql = "SELECT \(Self.selectColumns) FROM exchanges e LEFT JOIN exchange_bodies b ON b.exchange_id = e.id \(clause) LIMIT 1"
            return try db.query(sql, [argument]).first.map(ExchangeRecord.init(row:))
        }
    }
}

extension ExchangeRecord {
    /// Decodes a row selected with ``CorpusReader/selectColumns``.
    init(row c: [SQLiteValue]) {
        self.init(id: c[0].string ?? "", createdAt: c[1].double ?? 0, route: c[3].string ?? "",
                  servedBy: c[4].string ?? "teacher", status: c[9].int ?? 0, stream: c[17].int == 1,
                  promptHash: c[22].string ?? "", requestJSON: c[23].string ?? "")
        completedAt = c[2].double
        servedReason = c[5].string
        teacherURL = c[6].string
        upstreamModel = c[7].string
        completionID = c[8].string
        error = c[10].string
        latencyMs = c[11].double
        ttftMs = c[12].double
        promptTokens = c[13].int
        completionTokens = c[14].int
        totalTokens = c[15].int
        finishReason = c[16].string
        attempts = c[18].int ?? 1
        user = c[19].string
        tags = c[20].string.flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
        metadata = c[21].string
        responseJSON = c[24].string
    }
}
