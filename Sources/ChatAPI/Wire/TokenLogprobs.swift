/// The teacher's log-probabilities for one answer, token by token, as the chat API returns
/// them in a choice's `logprobs.content` (facts/distillation.md §11.3): each generated token
/// with its log-probability and up to 20 alternatives. Tokens are kept as bytes (the API's
/// `bytes`, which may split a UTF-8 character), so they align with any tokenizer by byte
/// offset.
///
/// Stored compactly with the exchange (``encoded``): about 3 bytes per token piece plus 2 per
/// log-probability (f16), ~120 bytes a token with 20 alternatives.
public struct TokenLogprobs: Sendable, Equatable {
    /// One candidate token.
    public struct Alternative: Sendable, Equatable {
        /// The token's bytes.
        public var bytes: [UInt8]
        /// Its log-probability under the teacher.
        public var logprob: Float

        /// An alternative.
        public init(bytes: [UInt8], logprob: Float) {
            self.bytes = bytes
            self.logprob = logprob
        }
    }

    /// One generated token and the alternatives at its position.
    public struct Token: Sendable, Equatable {
        /// The generated token's bytes.
        public var bytes: [UInt8]
        /// Its log-probability.
        public var logprob: Float
        /// The most likely tokens at this position (`top_logprobs`), best first.
        public var top: [Alternative]

        /// A token.
        public init(bytes: [UInt8], logprob: Float, top: [Alternative]) {
            self.bytes = bytes
            self.logprob = logprob
            self.top = top
        }
    }

    /// The answer's tokens in order.
    public var tokens: [Token]

    /// Log-probabilities of `tokens`.
    public init(tokens: [Token]) { self.tokens = tokens }

    /// The answer's bytes: every token's, concatenated.
    public var text: [UInt8] { tokens.flatMap(\.bytes) }

    /// Reads a choice's `logprobs` object (`{"content": [...]}`); nil when it has no content
    /// entries or an entry is malformed.
    public init?(choiceLogprobs: JSONValue) {
        guard let content = choiceLogprobs["content"]?.arrayValue, !content.isEmpty else { return nil }
        var tokens: [Token] = []
        tokens.reserveCapacity(content.count)
        for entry in content {
            guard let token = Self.alternative(entry) else { return nil }
            let top = (entry["top_logprobs"]?.arrayValue ?? []).compactMap(Self.alternative)
            tokens.append(Token(bytes: token.bytes, logprob: token.logprob, top: top))
        }
        self.init(tokens: tokens)
    }

    /// `{"token", "logprob", "bytes"}`: the bytes when given, else the token's UTF-8.
    private static func alternative(_ entry: JSONValue) -> Alternative? {
        guard let logprob = entry["logprob"]?.doubleValue else { return nil }
        if let list = entry["bytes"]?.arrayValue {
            let bytes = list.compactMap { $0.intValue }.filter { (0...255).contains($0) }.map(UInt8.init)
            guard bytes.count == list.count else { return nil }
            return Alternative(bytes: bytes, logprob: Float(logprob))
        }
        guard let token = entry["token"]?.stringValue else { return nil }
        return Alternative(bytes: Array(token.utf8), logprob: Float(logprob))
    }
}

extension TokenLogprobs {
    private static let magic: [UInt8] = Array("RLP1".utf8)

    /// The compact form stored in the corpus: `RLP1`, then per token its bytes, its f16
    /// log-probability and its alternatives the same way (lengths as LEB128 varints).
    public var encoded: [UInt8] {
        var out = Self.magic
        out.reserveCapacity(4 + tokens.count * (8 + 6 * (tokens.first?.top.count ?? 0)))
        Self.appendVarint(tokens.count, to: &out)
        for token in tokens {
            Self.append(Alternative(bytes: token.bytes, logprob: token.logprob), to: &out)
            Self.appendVarint(token.top.count, to: &out)
            for alternative in token.top { Self.append(alternative, to: &out) }
        }
        return out
    }

    /// Reads ``encoded``; nil when `bytes` is not such a record.
    public init?(encoded bytes: [UInt8]) {
        guard bytes.starts(with: Self.magic) else { return nil }
        var reader = ByteReader(bytes: bytes, offset: Self.magic.count)
        guard let count = reader.varint(), count <= bytes.count else { return nil }
        var tokens: [Token] = []
        tokens.reserveCapacity(count)
        for _ in 0..<count {
            guard let token = reader.alternative(), let k = reader.varint(), k <= bytes.count else { return nil }
            var top: [Alternative] = []
            top.reserveCapacity(k)
            for _ in 0..<k {
                guard let alternative = reader.alternative() else { return nil }
                top.append(alternative)
            }
            tokens.append(Token(bytes: token.bytes, logprob: token.logprob, top: top))
        }
        guard reader.offset == bytes.count else { return nil }
        self.init(tokens: tokens)
    }

    private static func append(_ alternative: Alternative, to out: inout [UInt8]) {
        appendVarint(alternative.bytes.count, to: &out)
        out += alternative.bytes
        let bits = Float16(max(alternative.logprob, -65_504)).bitPattern
        out += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8)]
    }

    private static func appendVarint(_ value: Int, to out: inout [UInt8]) {
        var rest = UInt(value)
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }

    /// A cursor over an encoded record.
    private struct ByteReader {
        let bytes: [UInt8]
        var offset: Int

        mutating func varint() -> Int? {
            var value = 0, shift = 0
            while offset < bytes.count, shift < 63 {
                let byte = bytes[offset]
                offset += 1
                value |= Int(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        mutating func alternative() -> Alternative? {
            guard let length = varint(), length <= bytes.count - offset, bytes.count - offset - length >= 2 else { return nil }
            let piece = Array(bytes[offset ..< offset + length])
            offset += length
            let bits = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
            offset += 2
            return Alternative(bytes: piece, logprob: Float(Float16(bitPattern: bits)))
        }
    }
}
