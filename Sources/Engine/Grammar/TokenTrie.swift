/// A vocabulary's tokens by their bytes, for constrained decoding: a trie (so a mask
/// tries each distinct prefix once and drops a whole subtree at the first refused byte)
/// and the tokens a free string's state cannot accept without a try. Built once per model.
public final class TokenTrie: Sendable {
    /// Each node's children: (byte, child node); node 0 is the root.
    let children: [[(byte: UInt8, node: Int32)]]
    /// The tokens whose bytes end at each node.
    let tokensEnding: [[Int32]]
    /// Tokens with no bytes (control tokens) or with `"`, `\` or a control byte: inside a
    /// free string, only these may change the state.
    let nonPlain: [Int32]
    /// Each token's bytes.
    let tokenBytes: [[UInt8]]

    /// The trie of `tokenizer`'s rendered tokens.
    public init(tokenizer: BPETokenizer) {
        var children: [[(byte: UInt8, node: Int32)]] = [[]]
        var tokensEnding: [[Int32]] = [[]]
        var nonPlain: [Int32] = []
        for (id, bytes) in tokenizer.renderedBytes.enumerated() {
            if bytes.isEmpty || bytes.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
                nonPlain.append(Int32(id))
            }
            guard !bytes.isEmpty else { continue }
            var node = 0
            for byte in bytes {
                if let next = children[node].first(where: { $0.byte == byte })?.node {
                    node = Int(next)
                } else {
                    children.append([])
                    tokensEnding.append([])
                    children[node].append((byte, Int32(children.count - 1)))
                    node = children.count - 1
                }
            }
            tokensEnding[node].append(Int32(id))
        }
        self.children = children
        self.tokensEnding = tokensEnding
        self.nonPlain = nonPlain
        tokenBytes = tokenizer.renderedBytes
    }

    /// Marks in `allowed` every token whose bytes `recognizer` accepts, trying each
    /// distinct prefix once from `node`.
    func markAccepted(from node: Int = 0, _ recognizer: JSONRecognizer, in allowed: inout [Bool]) {
        for (byte, child) in children[node] {
            var next = recognizer
            guard next.feed(byte) else { continue }
            for id in tokensEnding[Int(child)] { allowed[Int(id)] = true }
            markAccepted(from: Int(child), next, in: &allowed)
        }
    }
}
