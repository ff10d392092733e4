import ChatAPI
import Foundation

/// The SQLite read-write connection to the corpus, safe to share across tasks: the
/// SQLite implementation of ``CorpusStorage`` (listing, search, stats, held-out splits
/// here; serving, training and feedback through the stores built over it).
///
/// Queries are short and serialized by a lock; under WAL they never wait for the
/// exchange log's transactions, though a corpus that follows the log (``follow(_:)``, the
/// gateway's) first lets its writer insert what was acknowledged. Besides the exchanges
/// the log writes, every change to the corpus (feedback, serving, training) goes through
/// this connection.
public final class SQLiteCorpus: @unchecked Sendable {
    // @unchecked: `database` and `log` are only touched while holding `lock`.
    private let lock = NSLock()
    private let database: SQLiteDatabase
    private var log: ExchangeLog?

    /// Opens the database at `path` (which the ``ExchangeLog`` has created and migrated).
    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        try Migrations.configure(database)
    }

    /// Runs `body` with exclusive use of the connection, once the log this corpus follows
    /// (``follow(_:)``) has written everything it acknowledged.
    public func withDatabase<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        log?.flush()
        return try body(database)
    }

    /// Makes every use of this connection wait until `log` has in SQLite every exchange it
    /// acknowledged (``ExchangeLog/flush()``, at once when its writer has caught up), so
    /// this process reads what it answered: a rating right after an answer finds it.
    public func follow(_ log: ExchangeLog) {
        lock.withLock { self.log = log }
    }

    /// Columns read by ``ExchangeRecord/init(row:)``; `e` is exchanges, `b` exchange_bodies
    /// (LEFT JOINed: an exchange without a body row reads with an empty request).
    static let selectColumns = """
        e.id, e.created_at, e.completed_at, e.route, e.served_by, e.served_reason, e.teacher_url, e.upstream_model,
        e.completion_id, e.status, e.error, e.latency_ms, e.ttft_ms, e.prompt_tokens, e.completion_tokens,
        e.total_tokens, e.finish_reason, e.stream, e.attempts, e.user, e.tags, e.metadata, e.prompt_hash,
        e.surface, coalesce(b.request, '') AS request, b.response AS response, b.raw_request AS raw_request, b.raw_response AS raw_response
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
        try withDatabase { try $0.fetchOne("SELECT count(*) AS count FROM exchanges") { try $0.int("count") } ?? 0 }
    }

    private func fetchOne(_ clause: String, _ argument: String) throws -> ExchangeRecord? {
        try withDatabase { db in
            let sql = "SELECT \(Self.selectColumns) FROM exchanges e LEFT JOIN exchange_bodies b ON b.exchange_id = e.id \(clause) LIMIT 1"
            return try db.fetchOne(sql, [argument], ExchangeRecord.init(row:))
        }
    }
}

extension ExchangeRecord {
    /// Decodes a row selected with ``SQLiteCorpus/selectColumns``.
    init(row: SQLiteRow) throws(SQLiteError) {
        self.init(id: try row.text("id"), createdAt: try row.double("created_at"), route: try row.text("route"),
                  servedBy: try row.text("served_by"), status: try row.int("status"), stream: try row.bool("stream"),
                  promptHash: try row.text("prompt_hash"), requestJSON: try row.text("request"))
        completedAt = try row.optionalDouble("completed_at")
        servedReason = try row.optionalText("served_reason")
        teacherURL = try row.optionalText("teacher_url")
        upstreamModel = try row.optionalText("upstream_model")
        completionID = try row.optionalText("completion_id")
        error = try row.optionalText("error")
        latencyMs = try row.optionalDouble("latency_ms")
        ttftMs = try row.optionalDouble("ttft_ms")
        promptTokens = try row.optionalInt("prompt_tokens")
        completionTokens = try row.optionalInt("completion_tokens")
        totalTokens = try row.optionalInt("total_tokens")
        finishReason = try row.optionalText("finish_reason")
        attempts = try row.int("attempts")
        user = try row.optionalText("user")
        tags = try row.optionalText("tags").flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
        metadata = try row.optionalText("metadata")
        responseJSON = try row.optionalText("response")
        surface = try row.text("surface")
        rawRequestJSON = try row.optionalText("raw_request")
        rawResponseJSON = try row.optionalText("raw_response")
    }
}
