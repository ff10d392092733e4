import CSQLite

/// A compiled statement. Finalized in `deinit`; not `Sendable` (it belongs to its connection).
public final class SQLiteStatement {
    let handle: OpaquePointer
    let database: SQLiteDatabase
    /// The SQL text, for error messages.
    public let sql: String
    /// Result column indexes by lowercased name, built on the first lookup by name.
    private var columnIndexesByName: [String: [Int]]?

    init(database: SQLiteDatabase, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: database.lastErrorMessage, sql: sql)
        }
        self.handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `values` to parameters 1, 2, ...
    public func bind(_ values: [any SQLiteBindable]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: Int32(offset + 1))
        }
    }

    func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let i): rc = sqlite3_bind_int64(handle, index, i)
        case .real(let d): rc = sqlite3_bind_double(handle, index, d)
        case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, retort_sqlite_transient())
        case .blob(let bytes):
            rc = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), retort_sqlite_transient()) }
        }
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: database.lastErrorMessage, sql: sql) }
    }

    /// Advances to the next row: true if there is one, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: rc, message: database.lastErrorMessage, sql: sql)
        }
    }

    /// Runs the statement to completion with `values` bound (for writes).
    public func run(_ values: [any SQLiteBindable]) throws(SQLiteError) {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The value of column `index` in the current row.
    public func column(_ index: Int) -> SQLiteValue {
        let i = Int32(index)
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, i)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, i))
            guard count > 0, let base = sqlite3_column_blob(handle, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: base, count: count)))
        default: return .null
        }
    }

    /// All columns of the current row.
    public func row() -> [SQLiteValue] { (0..<columnCount).map(column) }

    /// The current row, read by column name. Valid until the next ``step()``.
    public var currentRow: SQLiteRow { SQLiteRow(statement: self) }

    /// The names of the result columns, in order (an alias when the SELECT gives one).
    public var columnNames: [String] {
        (0..<Int32(columnCount)).map { index in sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "" }
    }

    /// The index of the result column called `name` (compared case-insensitively, as SQL does).
    ///
    /// - Throws: `SQLITE_RANGE` naming the column when the result has none, or several, by that name.
    public func columnIndex(named name: String) throws(SQLiteError) -> Int {
        let indexes: [String: [Int]]
        if let cached = columnIndexesByName {
            indexes = cached
        } else {
            let names = columnNames
            indexes = Dictionary(grouping: names.indices) { names[$0].lowercased() }
            columnIndexesByName = indexes
        }
        switch indexes[name.lowercased()] ?? [] {
        case let found where found.count == 1:
            return found[0]
        case []:
            throw SQLiteError(code: SQLITE_RANGE, message: "no result column `\(name)` (the result has: \(columnNames.joined(separator: ", ")))",
                              sql: sql, column: name)
        default:
            throw SQLiteError(code: SQLITE_RANGE, message: "several result columns are called `\(name)`; give each its own alias with AS",
                              sql: sql, column: name)
        }
    }
}

extension SQLiteValue {
    /// The value as a String, if text.
    public var string: String? { if case .text(let s) = self { return s }; return nil }
    /// The value as an Int, if integer.
    public var int: Int? { if case .integer(let i) = self { return Int(i) }; return nil }
    /// The value as a Double, if numeric.
    public var double: Double? {
        switch self {
        case .real(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }
}
