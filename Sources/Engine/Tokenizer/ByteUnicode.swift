/// GPT-2's reversible byte ↔ printable-character table (`bytes_to_unicode`,
/// llama.cpp unicode.cpp `unicode_byte_to_utf8_map`; facts/engine.md §2.6 step 3).
///
/// Bytes 0x21–0x7E, 0xA1–0xAC and 0xAE–0xFF map to the same code point; the other 68
/// bytes, in increasing order, map to U+0100, U+0101, …  So a space becomes `Ġ`.
enum ByteUnicode {
    /// `scalar[b]` is the character standing for byte `b`.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 0x100
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The inverse table: code point → byte, for the 256 characters above.
    static let byteForScalar: [UInt32: UInt8] = {
        var inverse: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { inverse[scalar.value] = UInt8(byte) }
        return inverse
    }()

    /// Maps the bytes of a token string back to raw bytes; `nil` if a character is not in
    /// the table (the string is then not a byte-level token).
    static func bytes(ofTokenText text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard let byte = byteForScalar[scalar.value] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
