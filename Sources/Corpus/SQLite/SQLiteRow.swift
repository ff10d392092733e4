import CSQLite

/// The current row of an ``SQLiteStatement``, read by column name with typed accessors.
///
/// Each accessor throws an ``SQLiteError`` naming the column, the type it expected,
/// what it found, and the SQL, when the result has no such column, when the column is
/// NULL (the non-optional accessors), or when it holds another type. Nothing is ever
/// replaced by a default; the `optional…` accessors return nil for NULL only.
///
/// Conversions: an integer column read with ``double(_:)`` converts (exact up to 2^53);
/// a REAL read with ``int(_:)`` converts only when it is a whole number (3.0, not 3.5),
/// since a REAL-affinity column stores whole numbers as REAL. Text never converts to a
/// number, numbers never to text, and only a BLOB reads as ``blob(_:)``.
///
/// - Warning: It reads the statement's current row: values change with the next
///   `step()`. Decode what you need before stepping again; do not keep the row.
public struct SQLiteRow {
    /// The statement whose current row this is.
    let statement: SQLiteStatement

    /// The column `name` as an integer.
    public func int(_ name: String) throws(SQLiteError) -> Int {
        try required(name, "INTEGER", Self.integer)
    }

    /// The column `name` as an integer, nil when NULL.
    public func optionalInt(_ name: String) throws(SQLiteError) -> Int? {
        try optional(name, "INTEGER", Self.integer)
    }

    /// The column `name` as a number.
    public func double(_ name: String) throws(SQLiteError) -> Double {
        try required(name, "REAL", Self.real)
    }

    /// The column `name` as a number, nil when NULL.
    public func optionalDouble(_ name: String) throws(SQLiteError) -> Double? {
        try optional(name, "REAL", Self.real)
    }

    /// The column `name` as text.
    public func text(_ name: String) throws(SQLiteError) -> String {
        try required(name, "TEXT", \.string)
    }

    /// The column `name` as text, nil when NULL.
    public func optionalText(_ name: String) throws(SQLiteError) -> String? {
        try optional(name, "TEXT", \.string)
    }

    /// The column `name` as bytes.
    public func blob(_ name: String) throws(SQLiteError) -> [UInt8] {
        try required(name, "BLOB", Self.bytes)
    }

    /// The column `name` as bytes, nil when NULL.
    public func optionalBlob(_ name: String) throws(SQLiteError) -> [UInt8]? {
        try optional(name, "BLOB", Self.bytes)
    }

    /// The column `name` as a flag stored as the integer 0 or 1 (any other value throws).
    public func bool(_ name: String) throws(SQLiteError) -> Bool {
        try required(name, "0 or 1", Self.flag)
    }

    /// The column `name` as it is stored, NULL included.
    public func value(_ name: String) throws(SQLiteError) -> SQLiteValue {
        statement.column(try statement.columnIndex(named: name))
    }

    private func required<T>(_ name: String, _ expected: String, _ convert: (SQLiteValue) -> T?) throws(SQLiteError) -> T {
        let value = try value(name)
        guard let converted = convert(value) else { throw mismatch(name, expected: expected, found: value) }
        return converted
    }

    private func optional<T>(_ name: String, _ expected: String, _ convert: (SQLiteValue) -> T?) throws(SQLiteError) -> T? {
        let value = try value(name)
        if value == .null { return nil }
        guard let converted = convert(value) else { throw mismatch(name, expected: expected, found: value) }
        return converted
    }

    private func mismatch(_ name: String, expected: String, found: SQLiteValue) -> SQLiteError {
        SQLiteError(code: SQLITE_MISMATCH, message: "column `\(name)` holds \(found.decodingDescription), expected \(expected)",
                    sql: statement.sql, column: name)
    }

    private static func integer(_ value: SQLiteValue) -> Int? {
        switch value {
        case .integer(let integer): return Int(exactly: integer)
        case .real(let real): return Int(exactly: real)
        default: return nil
        }
    }

    private static func real(_ value: SQLiteValue) -> Double? {
        switch value {
        case .real(let real): return real
        case .integer(let integer): return Double(integer)
        default: return nil
        }
    }

    private static func bytes(_ value: SQLiteValue) -> [UInt8]? {
        if case .blob(let bytes) = value { return bytes }
        return nil
    }

    private static func flag(_ value: SQLiteValue) -> Bool? {
        switch integer(value) {
        case 0?: return false
        case 1?: return true
        default: return nil
        }
    }
}

extension SQLiteValue {
    /// The storage class and a short preview, for decoding errors: `TEXT "abc"`, `NULL`.
    var decodingDescription: String {
        switch self {
        case .null: return "NULL"
        case .integer(let integer): return "INTEGER \(integer)"
        case .real(let real): return "REAL \(real)"
        case .text(let text): return "TEXT \"\(text.count > 40 ? text.prefix(40) + "…" : text)\""
        case .blob(let bytes): return "BLOB (\(bytes.count) bytes)"
        }
    }
}
