/// Constrained decoding: keeps a generation's text a value of a ``JSONShape``.
///
/// Before each token, every token whose bytes the ``JSONRecognizer`` would refuse gets a
/// logit of −∞, so whatever the sampler picks keeps the text on the shape; stop tokens
/// are allowed only once the value is complete (the generation ends there anyway).
/// Inside a free string (most of a long answer) a token without `"`, `\` or control
/// bytes keeps the state, so only the others are tried; elsewhere the vocabulary's
/// ``TokenTrie`` is walked, each distinct prefix tried once and a subtree dropped at its
/// first refused byte.
public struct JSONTokenConstraint {
    private var recognizer: JSONRecognizer
    private let trie: TokenTrie
    /// Scratch: which tokens the last trie walk allowed.
    private var allowed: [Bool]

    /// A constraint for `shape` over the vocabulary `trie` indexes.
    public init(shape: JSONShape, trie: TokenTrie) {
        recognizer = JSONRecognizer(shape: shape)
        self.trie = trie
        allowed = [Bool](repeating: false, count: trie.tokenBytes.count)
    }

    /// Whether the text so far is a whole value.
    public var isComplete: Bool { recognizer.isComplete }

    /// Sets the logit of every token that may not come next to −∞ (`logits`: (V)).
    /// Stop tokens stay only when the value is complete, or when nothing else could come.
    public mutating func mask(_ logits: UnsafeMutableBufferPointer<Float>, stopIDs: Set<Int32>) {
        let stops = stopIDs.filter { Int($0) < logits.count }.map { ($0, logits[Int($0)]) }
        var anyAllowed = false
        if recognizer.isInFreeString {
            anyAllowed = trie.nonPlain.count < min(logits.count, trie.tokenBytes.count)
            for id in trie.nonPlain where Int(id) < logits.count {
                var trial = recognizer
                if trial.feed(trie.tokenBytes[Int(id)]), !trie.tokenBytes[Int(id)].isEmpty { anyAllowed = true } else { logits[Int(id)] = -.infinity }
            }
        } else {
            for index in allowed.indices { allowed[index] = false }
            trie.markAccepted(recognizer, in: &allowed)
            for id in 0..<logits.count {
                if id < allowed.count, allowed[id] { anyAllowed = true } else { logits[id] = -.infinity }
            }
        }
        if recognizer.isComplete || !anyAllowed {
            for (id, logit) in stops { logits[Int(id)] = logit }
        }
    }

    /// Reads `bytes` as if generated; false if they leave the shape.
    public mutating func accept(bytes: [UInt8]) -> Bool {
        recognizer.feed(bytes)
    }

    /// Reads the chosen token's bytes; false if they leave the shape (a token `mask`
    /// allowed never does).
    @discardableResult
    public mutating func accept(_ token: Int32) -> Bool {
        guard token >= 0, Int(token) < trie.tokenBytes.count else { return false }
        return recognizer.feed(trie.tokenBytes[Int(token)])
    }
}
