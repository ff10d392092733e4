/// Turns a stream of token bytes into text, emitting only complete UTF-8 characters.
///
/// A multi-byte character split across tokens (common for emoji and CJK in byte-level
/// BPE) is held back until its last byte arrives. Invalid sequences become U+FFFD.
public struct UTF8StreamDecoder: Sendable {
    private var pending: [UInt8] = []

    /// An empty decoder.
    public init() {}

    /// Adds `bytes` and returns the text that is now complete (possibly "").
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        let cut = completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns whatever is still held back (an incomplete character becomes U+FFFD).
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of the longest prefix that does not end inside an unfinished character.
    private func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let end = bytes.count
        // Look back at most 3 bytes for the lead byte of the last character.
        var index = end - 1
        while index >= 0, index >= end - 4 {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                let needed = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return end - index < needed && byte < 0xF8 ? index : end
            }
            index -= 1
        }
        return end
    }
}
