/// Errors from ``JSONValue/parse(_:)`` with the byte offset where parsing failed.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// What was wrong.
    public let reason: String
    /// Byte offset into the input.
    public let offset: Int
    /// Whether the input ended where the grammar needed more, so the text is a prefix of
    /// some JSON text (``JSONValidity/incomplete``) rather than malformed.
    public let truncated: Bool

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Maximum nesting depth accepted; deeper documents are refused rather than
    /// risking the parser's stack on hostile input.
    public static let maximumDepth = 128

    /// Most values (scalars, arrays, objects) a document may hold by default: bounds the
    /// memory a parsed document takes, whatever its bytes (a value costs tens of bytes).
    public static let maximumValues = 1 << 20

    /// Parses a complete JSON document (RFC 8259). Trailing non-whitespace is an error, as
    /// are more than `maximumValues` values.
    public static func parse(_ bytes: some Collection<UInt8>, maximumValues: Int = JSONValue.maximumValues)
        throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes), maximumValues: maximumValues)
        return try parser.parseDocument()
    }

    /// Parses a complete JSON document from a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The one JSON grammar (RFC 8259): a recursive-descent parser over UTF-8 bytes, behind
/// both ``JSONValue/parse(_:)`` and ``JSONValidator``.
///
/// It reads byte by byte, so it fails at the first byte no JSON text can have there
/// (malformed), or at the end of the input when the text so far could still continue
/// into JSON (`truncated`: a stream's first tokens).
struct JSONParser {
    let bytes: [UInt8]
    /// Most open objects and arrays.
    let maximumDepth: Int
    /// Most values in the document.
    let maximumValues: Int
    var index = 0
    var depth = 0
    var values = 0

    init(bytes: [UInt8], maximumDepth: Int = JSONValue.maximumDepth, maximumValues: Int = JSONValue.maximumValues) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.maximumValues = maximumValues
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the document") }
        return value
    }

    /// Malformed input at the current byte.
    func fail(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: index, truncated: false) }

    /// The current byte; a truncated-input error named `reason` when the input ended.
    func peek(orEnd reason: String = "unexpected end of input") throws(JSONParseError) -> UInt8 {
        guard index < bytes.count else { throw JSONParseError(reason: reason, offset: index, truncated: true) }
        return bytes[index]
    }

    /// Consumes `byte`, or fails with `reason` on any other byte (truncated at the end).
    mutating func expect(_ byte: UInt8, _ reason: String) throws(JSONParseError) {
        guard try peek() == byte else { throw fail(reason) }
        index += 1
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        values += 1
        guard values <= maximumValues else { throw fail("more than \(maximumValues) values") }
        switch try peek() {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character")
        }
    }

    /// Counts one more open object or array, refusing to go past `maximumDepth`.
    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maximumDepth else { throw fail("nesting deeper than \(maximumDepth)") }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        for byte in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
            try expect(byte, "invalid literal")
        }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        index += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':'")
            members.append((key, try parseValue()))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw fail("expected ',' or ']'")
            }
        }
    }
}
