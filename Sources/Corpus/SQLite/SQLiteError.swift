/// An error from SQLite, carrying the result code, SQLite's message and the SQL.
///
/// Decoding a row by column name (``SQLiteRow``) throws this type too: code
/// `SQLITE_RANGE` (25) when the result has no such column, `SQLITE_MISMATCH` (20)
/// when the column is NULL or holds another type; ``column`` names the column.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The (extended) SQLite result code.
    public let code: Int32
    /// SQLite's message for it (for a decoding error: the column, what was expected and what was found).
    public let message: String
    /// The statement that failed, if any.
    public let sql: String?
    /// The result column that could not be decoded; nil for errors SQLite itself reported.
    public let column: String?

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil, column: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.column = column
    }

    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in: \($0.prefix(200)))" } ?? "")
    }
}
