/// Whether a text is JSON, or could still become JSON.
public enum JSONValidity: String, Sendable, Hashable, Codable {
    /// One complete JSON value (RFC 8259), with optional surrounding whitespace.
    case valid
    /// Not JSON yet, but a prefix of some JSON text (for checking a stream's first tokens).
    case incomplete
    /// No continuation can make it JSON.
    case invalid
}

/// A small JSON validator over UTF-8 bytes: it checks the grammar and builds nothing.
///
/// Nesting deeper than ``maximumDepth`` is reported invalid instead of recursing further.
public enum JSONValidator {
    /// Nesting limit of objects and arrays.
    public static let maximumDepth = 512

    /// Classifies `text`; an empty or all-whitespace text is `incomplete`.
    public static func validate(_ text: String) -> JSONValidity {
        var scanner = JSONScanner(bytes: Array(text.utf8))
        do {
            try scanner.document()
            return .valid
        } catch .incomplete {
            return .incomplete
        } catch {
            return .invalid
        }
    }

    /// Whether `text` is one complete JSON value.
    public static func isValid(_ text: String) -> Bool {
        validate(text) == .valid
    }
}

/// Recursive-descent scanner behind ``JSONValidator``.
struct JSONScanner {
    /// Why scanning stopped: the input ended early, or it cannot be JSON.
    enum Failure: Error { case incomplete, invalid }

    /// The UTF-8 input.
    let bytes: [UInt8]
    /// The next byte to read.
    var index = 0
    /// Open objects and arrays.
    var depth = 0

    /// Scans one value with optional surrounding whitespace and nothing after it.
    mutating func document() throws(Failure) {
        skipWhitespace()
        try value()
        skipWhitespace()
        if index != bytes.count { throw .invalid }
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard let found = current else { throw .incomplete }
        guard found == byte else { throw .invalid }
        index += 1
    }

    private mutating func value() throws(Failure) {
        guard let byte = current else { throw .incomplete }
        switch byte {
        case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), isObject: true)
        case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), isObject: false)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw .invalid
        }
    }

    private mutating func container(close: UInt8, isObject: Bool) throws(Failure) {
        depth += 1
        guard depth <= JSONValidator.maximumDepth else { throw .invalid }
        index += 1  // the opening bracket
        skipWhitespace()
        if current == close {
            index += 1
            depth -= 1
            return
        }
        while true {
            if isObject {
                guard current != nil else { throw .incomplete }
                guard current == UInt8(ascii: "\"") else { throw .invalid }
                try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
            }
            try value()
            skipWhitespace()
            guard let byte = current else { throw .incomplete }
            index += 1
            if byte == close { break }
            guard byte == UInt8(ascii: ",") else { throw .invalid }
            skipWhitespace()
        }
        depth -= 1
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in expected { try expect(byte) }
    }

    private mutating func string() throws(Failure) {
        index += 1  // the opening quote
        while true {
            guard let byte = current else { throw .incomplete }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"): try escape()
            case 0x00..<0x20: throw .invalid
            default: continue
            }
        }
    }

    private mutating func escape() throws(Failure) {
        guard let byte = current else { throw .incomplete }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            for _ in 0..<4 {
                guard let hex = current else { throw .incomplete }
                guard Self.isHexDigit(hex) else { throw .invalid }
                index += 1
            }
        default:
            throw .invalid
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
