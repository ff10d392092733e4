import CSQLite

/// One SQLite connection. It owns its handle and closes it in `deinit`.
///
/// - Warning: Not thread-safe and deliberately not `Sendable`: each thread or actor
///   that touches the corpus opens its own connection (WAL lets readers run beside
///   the single writer).
public final class SQLiteDatabase {
    let handle: OpaquePointer

    /// Opens (creating if needed) the database at `path`; `":memory:"` for a private in-memory one.
    public init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "\(message) (\(path))")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// Compiles a statement.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// Runs `sql` with `arguments` and returns every row, each `decode`d by column name, in order.
    ///
    /// - Throws: ``SQLiteError`` from SQLite or from decoding a row, or whatever `decode` throws.
    public func fetchAll<Value>(_ sql: String, _ arguments: [any SQLiteBindable] = [],
                                _ decode: (SQLiteRow) throws -> Value) throws -> [Value] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var values: [Value] = []
        while try statement.step() { values.append(try decode(statement.currentRow)) }
        return values
    }

    /// Runs `sql` with `arguments` and returns its first row `decode`d by column name, or nil when it has none.
    public func fetchOne<Value>(_ sql: String, _ arguments: [any SQLiteBindable] = [],
                                _ decode: (SQLiteRow) throws -> Value) throws -> Value? {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return try decode(statement.currentRow)
    }

    /// Runs `sql` with `arguments` and returns every row, each as its column values by position.
    ///
    /// For ad-hoc queries and tests; the corpus decodes its rows by name with ``fetchAll(_:_:_:)``.
    public func query(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws(SQLiteError) -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var rows: [[SQLiteValue]] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last successful INSERT on this connection (0 if none).
    public var lastInsertedRowID: Int { Int(sqlite3_last_insert_rowid(handle)) }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }
}
