/// Constrained decoding: keeps a generation's text a value of a ``JSONShape``.
///
/// Before each token, every token whose bytes the ``JSONRecognizer`` would refuse gets a
/// logit of −∞, so whatever the sampler picks keeps the text on the shape; stop tokens
/// are allowed only once the value is complete (the generation ends there anyway).
/// Trying a token copies the recognizer and feeds it the token's bytes; two shortcuts
/// keep that to a few thousand tries per step: a token whose first byte is refused is
/// refused without a try, and inside a free string a token without `"`, `\` or control
/// bytes is allowed without one.
public struct JSONTokenConstraint {
    private var recognizer: JSONRecognizer
    private let tokenBytes: [[UInt8]]
    /// Tokens that leave a free string's state unchanged.
    private let plainInString: [Bool]

    /// A constraint for `shape` over `tokenizer`'s vocabulary.
    public init(shape: JSONShape, tokenizer: BPETokenizer) {
        recognizer = JSONRecognizer(shape: shape)
        tokenBytes = tokenizer.renderedBytes
        plainInString = tokenizer.renderedBytes.map { bytes in
            !bytes.isEmpty && !bytes.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }
        }
    }

    /// Whether the text so far is a whole value.
    public var isComplete: Bool { recognizer.isComplete }

    /// Sets the logit of every token that may not come next to −∞ (`logits`: (V)).
    /// Stop tokens stay only when the value is complete, or when nothing else could come.
    public func mask(_ logits: UnsafeMutableBufferPointer<Float>, stopIDs: Set<Int32>) {
        var firstAllowed = [Bool](repeating: false, count: 256)
        for byte in 0..<256 {
            var trial = recognizer
            firstAllowed[byte] = trial.feed(UInt8(byte))
        }
        let inFreeString = recognizer.isInFreeString
        let stops = stopIDs.filter { Int($0) < logits.count }.map { ($0, logits[Int($0)]) }
        var anyAllowed = false
        for id in 0..<logits.count {
            guard id < tokenBytes.count, let first = tokenBytes[id].first, firstAllowed[Int(first)] else {
                logits[id] = -.infinity
                continue
            }
            if tokenBytes[id].count == 1 || (inFreeString && plainInString[id]) {
                anyAllowed = true
                continue
            }
            var trial = recognizer
            if trial.feed(tokenBytes[id]) { anyAllowed = true } else { logits[id] = -.infinity }
        }
        if recognizer.isComplete || !anyAllowed {
            for (id, logit) in stops { logits[Int(id)] = logit }
        }
    }

    /// Reads the chosen token's bytes; false if they leave the shape (a token `mask`
    /// allowed never does).
    @discardableResult
    public mutating func accept(_ token: Int32) -> Bool {
        guard token >= 0, Int(token) < tokenBytes.count else { return false }
        return recognizer.feed(tokenBytes[Int(token)])
    }
}
