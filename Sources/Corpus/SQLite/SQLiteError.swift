/// An error from SQLite, carrying the result code, SQLite's message and the SQL.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The (extended) SQLite result code.
    public let code: Int32
    /// SQLite's message for it.
    public let message: String
    /// The statement that failed, if any.
    public let sql: String?

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in: \($0.prefix(200)))" } ?? "")
    }
}
