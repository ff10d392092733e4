/// Numbers and strings of the grammar.
extension JSONParser {
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as its literal
    /// text; a number cut off after `-`, `.`, `e` or the exponent's sign is truncated.
    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let first = try peek()
        guard Self.isDigit(first) else { throw fail("invalid number") }
        index += 1
        if first != UInt8(ascii: "0") {
            skipDigits()
        } else if index < bytes.count, Self.isDigit(bytes[index]) {
            throw fail("leading zero in number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            try requireDigits("invalid fraction")
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            try requireDigits("invalid exponent")
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func requireDigits(_ reason: String) throws(JSONParseError) {
        guard Self.isDigit(try peek()) else { throw fail(reason) }
        skipDigits()
    }

    private mutating func skipDigits() {
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A string literal, escapes decoded; its content must be UTF-8.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        // Most strings have no escape: take them straight from the input.
        let start = index
        var bits: UInt8 = 0  // every byte OR-ed: below 0x80 means ASCII
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            bits |= bytes[index]
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            let end = index
            let text = bytes.withUnsafeBufferPointer { Self.string(utf8: $0[start..<end], ascii: bits < 0x80) }
            index += 1
            guard let text else { throw fail("string is not valid UTF-8") }
            return text
        }
        var out = Array(bytes[start..<index])
        while true {
            let byte = try peek(orEnd: "unterminated string")
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                let ascii = !out.contains { $0 >= 0x80 }
                guard let text = out.withUnsafeBufferPointer({ Self.string(utf8: $0[...], ascii: ascii) }) else {
                    throw fail("string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &out)
            case 0..<0x20:
                throw fail("control character in string")
            default:
                out.append(byte)
                index += 1
            }
        }
    }

    /// `bytes` as a string if they are UTF-8, nil if not. ASCII, as most JSON strings are, is
    /// read with `String(decoding:)`: the validating initializer is generic and looked its
    /// types up at run time on every string (about 2 % of the loop threads' time at 32
    /// connections).
    private static func string(utf8 bytes: Slice<UnsafeBufferPointer<UInt8>>, ascii: Bool) -> String? {
        ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }

    /// The escape after a backslash; `\u` escapes pair UTF-16 surrogates.
    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        let c = try peek(orEnd: "unterminated escape")
        index += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                try expect(UInt8(ascii: "\\"), "unpaired surrogate")
                try expect(UInt8(ascii: "u"), "unpaired surrogate")
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid low surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("unpaired surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid unicode escape") }
            out.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = try peek(orEnd: "truncated unicode escape")
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
