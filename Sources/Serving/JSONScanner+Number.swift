extension JSONScanner {
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; a number cut off after `-`,
    /// `.` or the exponent sign is incomplete.
    mutating func number() throws(Failure) {
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current else { throw .incomplete }
        guard Self.isDigit(first) else { throw .invalid }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            try requireDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try requireDigits()
        }
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func requireDigits() throws(Failure) {
        guard let byte = current else { throw .incomplete }
        guard Self.isDigit(byte) else { throw .invalid }
        skipDigits()
    }

    private mutating func skipDigits() {
        while let byte = current, Self.isDigit(byte) { index += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
