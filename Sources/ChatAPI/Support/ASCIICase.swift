extension String {
    /// Whether the string starts with `prefix`, ASCII letters compared without regard to
    /// case: for HTTP header names and media types, which run on every request. Bytewise,
    /// with nothing allocated (unlike `lowercased()`, which is Unicode-aware).
    public func hasPrefixIgnoringASCIICase(_ prefix: String) -> Bool {
        var bytes = utf8.makeIterator()
        for expected in prefix.utf8 {
            guard let byte = bytes.next(), byte.asciiLowercased == expected.asciiLowercased else { return false }
        }
        return true
    }

    /// Whether the string equals `other`, ASCII letters compared without regard to case.
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        utf8.count == other.utf8.count && hasPrefixIgnoringASCIICase(other)
    }
}

extension UInt8 {
    /// The byte with an ASCII capital letter made small; any other byte as it is.
    public var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self + 32 : self
    }
}
