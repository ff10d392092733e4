/// GPT-2 byte-level BPE, read from GGUF metadata (`tokenizer.ggml.model = "gpt2"`;
/// facts/engine.md §2.6, after llama.cpp llama-vocab.cpp `llm_tokenizer_bpe_session`).
public struct BPETokenizer: Sendable {
    /// GGUF token types (gguf-py `TokenType`).
    public enum TokenType: Int, Sendable {
        /// An ordinary byte-level token.
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// Token strings as stored (byte-level characters for normal tokens).
    public let tokens: [String]
    /// Each token's type.
    public let types: [TokenType]
    /// Each token's raw bytes when rendered (empty for control tokens).
    let renderedBytes: [[UInt8]]
    private let idForToken: [String: Int32]
    /// Merge rank and result per adjacent pair, keyed by `left << 32 | right`.
    private let merges: [UInt64: (rank: Int32, result: Int32)]
    /// The token of each single byte (its byte-level character), or −1.
    private let byteTokens: [Int32]
    /// Control and user-defined token strings, longest first, matched as whole strings.
    private let specialTokens: [(text: [UInt8], id: Int32)]
    /// The end-of-sequence token.
    public let eosID: Int32
    /// Token ids that end generation (eos, plus `<|im_end|>`/`<|endoftext|>` if present).
    public let stopIDs: Set<Int32>

    /// Vocabulary size.
    public var count: Int { tokens.count }

    /// Builds the tokenizer from a GGUF file's `tokenizer.ggml.*` metadata.
    public init(metadata: [String: GGUFValue]) throws {
        let model = metadata["tokenizer.ggml.model"]?.stringValue ?? "(none)"
        guard model == "gpt2" else { throw EngineError.unsupportedTokenizer("tokenizer.ggml.model = \(model)") }
        let pre = metadata["tokenizer.ggml.pre"]?.stringValue ?? "default"
        let knownPre: Set = ["smollm", "starcoder", "refact", "command-r", "codeshell"]
        guard knownPre.contains(pre) else { throw EngineError.unsupportedTokenizer("tokenizer.ggml.pre = \(pre)") }
        guard let tokens = metadata["tokenizer.ggml.tokens"]?.stringArray, !tokens.isEmpty, tokens.count < Int32.max else {
            throw EngineError.missingMetadata(key: "tokenizer.ggml.tokens")
        }
        guard let mergeList = metadata["tokenizer.ggml.merges"]?.stringArray else {
            throw EngineError.missingMetadata(key: "tokenizer.ggml.merges")
        }
        let rawTypes = metadata["tokenizer.ggml.token_type"]?.intArray ?? Array(repeating: 1, count: tokens.count)
        guard rawTypes.count == tokens.count else { throw EngineError.missingMetadata(key: "tokenizer.ggml.token_type") }
        let eos = metadata["tokenizer.ggml.eos_token_id"]?.intValue ?? -1
        guard (0..<tokens.count).contains(eos) else { throw EngineError.missingMetadata(key: "tokenizer.ggml.eos_token_id") }
        try self.init(tokens: tokens, types: rawTypes.map { TokenType(rawValue: $0) ?? .normal }, merges: mergeList, eosID: Int32(eos))
    }

    /// Builds the tokenizer from its parts (`merges` are `"A B"` strings, rank = index).
    init(tokens: [String], types: [TokenType], merges mergeList: [String], eosID: Int32) throws {
        self.tokens = tokens
        self.types = types
        self.eosID = eosID
        var idForToken: [String: Int32] = [:]
        idForToken.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() where idForToken[token] == nil { idForToken[token] = Int32(index) }
        self.idForToken = idForToken
        self.merges = Self.buildMerges(mergeList, idForToken: idForToken)
        byteTokens = ByteUnicode.scalarForByte.map { idForToken[String(Character($0))] ?? -1 }
        renderedBytes = zip(tokens, types).map { token, type in
            switch type {
            case .control, .unknown, .unused: return []
            case .userDefined: return Array(token.utf8)
            default: return ByteUnicode.bytes(ofTokenText: token) ?? Array(token.utf8)
            }
        }
        specialTokens = zip(tokens, types).enumerated()
            .filter { $0.element.1 == .control || $0.element.1 == .userDefined }
            .map { (Array($0.element.0.utf8), Int32($0.offset)) }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
        var stops: Set<Int32> = [eosID]
        for name in ["<|im_end|>", "<|endoftext|>"] { if let id = idForToken[name] { stops.insert(id) } }
        stopIDs = stops
    }

    private static func buildMerges(_ list: [String], idForToken: [String: Int32]) -> [UInt64: (rank: Int32, result: Int32)] {
        var table: [UInt64: (rank: Int32, result: Int32)] = [:]
        table.reserveCapacity(list.count)
        for (rank, entry) in list.enumerated() {
            // Split at the first space after position 1 (llama.cpp `word.find(' ', 1)`).
            let utf8 = Array(entry.utf8)
            guard utf8.count > 2, let space = utf8[1...].firstIndex(of: 0x20) else { continue }
            let left = String(decoding: utf8[..<space], as: UTF8.self)
            let right = String(decoding: utf8[(space + 1)...], as: UTF8.self)
            guard let leftID = idForToken[left], let rightID = idForToken[right],
                  let result = idForToken[left + right] else { continue }
            let key = UInt64(UInt32(leftID)) << 32 | UInt64(UInt32(rightID))
            if table[key] == nil { table[key] = (Int32(rank), result) }
        }
        return table
    }

    /// The id of token string `text`, if it is in the vocabulary.
    public func id(of text: String) -> Int32? { idForToken[text] }

    /// The raw bytes token `id` renders as (empty for control tokens and bad ids).
    public func bytes(of id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < renderedBytes.count else { return [] }
        return renderedBytes[Int(id)]
    }

    /// A display string for token `id` (control tokens show their name), for logprobs.
    public func displayText(of id: Int32) -> String {
        guard id >= 0, Int(id) < tokens.count else { return "" }
        if types[Int(id)] == .control { return tokens[Int(id)] }
        return String(decoding: renderedBytes[Int(id)], as: UTF8.self)
    }

    /// Decodes `ids` to text, skipping control tokens; invalid UTF-8 becomes U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        String(decoding: ids.flatMap { bytes(of: $0) }, as: UTF8.self)
    }
}

extension BPETokenizer {
    /// Encodes `text`. With `parseSpecial`, control-token strings such as `<|im_start|>`
    /// map straight to their ids; without it they are tokenized as plain text.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int32] {
        var output: [Int32] = []
        var fragmentStart = text.utf8.startIndex
        let utf8 = Array(text.utf8)
        var position = 0
        while parseSpecial, position < utf8.count {
            guard utf8[position] == UInt8(ascii: "<"), let special = specialMatch(utf8, at: position) else {
                position += 1
                continue
            }
            let fragmentEnd = text.utf8.index(text.utf8.startIndex, offsetBy: position)
            encodeOrdinary(text[fragmentStart..<fragmentEnd], into: &output)
            output.append(special.id)
            position += special.length
            fragmentStart = text.utf8.index(text.utf8.startIndex, offsetBy: position)
        }
        encodeOrdinary(text[fragmentStart...], into: &output)
        return output
    }

    private func specialMatch(_ utf8: [UInt8], at position: Int) -> (id: Int32, length: Int)? {
        for special in specialTokens where special.text.count <= utf8.count - position {
            if utf8[position..<position + special.text.count].elementsEqual(special.text) {
                return (special.id, special.text.count)
            }
        }
        return nil
    }

    private func encodeOrdinary(_ text: Substring, into output: inout [Int32]) {
        guard !text.isEmpty else { return }
        for piece in PreTokenizer.split(text.unicodeScalars) {
            var bytes: [UInt8] = []
            for scalar in piece { bytes.append(contentsOf: String(scalar).utf8) }
            var symbols = bytes.map { byteTokens[Int($0)] }
            mergePairs(&symbols)
            output.append(contentsOf: symbols.filter { $0 >= 0 })
        }
    }

    /// The merges of raw `bytes` taken as one piece (no pre-splitting): a single id when the
    /// bytes are one token of the vocabulary; used to map another tokenizer's token (a
    /// teacher's log-probability alternative) onto this vocabulary.
    public func encode(bytes: [UInt8]) -> [Int32] {
        var symbols = bytes.map { byteTokens[Int($0)] }
        mergePairs(&symbols)
        return symbols.filter { $0 >= 0 }
    }

    /// Repeatedly merges the adjacent pair of lowest rank, leftmost first.
    private func mergePairs(_ symbols: inout [Int32]) {
        while symbols.count > 1 {
            var best: (index: Int, rank: Int32, result: Int32)?
            for index in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(bitPattern: symbols[index])) << 32 | UInt64(UInt32(bitPattern: symbols[index + 1]))
                if let merge = merges[key], merge.rank < (best?.rank ?? .max) {
                    best = (index, merge.rank, merge.result)
                }
            }
            guard let merge = best else { return }
            symbols[merge.index] = merge.result
            symbols.remove(at: merge.index + 1)
        }
    }
}

extension BPETokenizer {
    /// Tokenizes chat-template fragments: markers as control tokens, the rest as text
    /// (so `<|im_start|>` typed inside a message stays plain text).
    public func encode(_ fragments: [ChatTemplate.Fragment]) -> [Int32] {
        fragments.flatMap { encode($0.text, parseSpecial: $0.isSpecial) }
    }
}
