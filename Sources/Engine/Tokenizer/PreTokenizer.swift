/// The `smollm` pre-tokenizer (llama.cpp `LLAMA_VOCAB_PRE_TYPE_SMOLLM`; facts/engine.md §2.6
/// step 2): first every `\p{N}` becomes its own piece, then each piece is split by
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
///
/// Written as a hand-coded scanner over Unicode scalars rather than a regex engine.
enum PreTokenizer {
    /// Splits `text` into pieces; concatenating them gives `text` back.
    static func split(_ text: Substring.UnicodeScalarView) -> [[Unicode.Scalar]] {
        var pieces: [[Unicode.Scalar]] = []
        var run: [Unicode.Scalar] = []
        for scalar in text {
            if Self.isNumber(scalar) {
                if !run.isEmpty { splitWords(run, into: &pieces); run.removeAll(keepingCapacity: true) }
                pieces.append([scalar])
            } else {
                run.append(scalar)
            }
        }
        if !run.isEmpty { splitWords(run, into: &pieces) }
        return pieces
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    /// Punctuation, symbols and everything else that is neither space, letter nor number.
    static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        !isWhitespace(scalar) && !isLetter(scalar) && !isNumber(scalar)
    }

    /// Applies the GPT-2 word regex to one digit-free run.
    private static func splitWords(_ s: [Unicode.Scalar], into pieces: inout [[Unicode.Scalar]]) {
        var start = 0
        while start < s.count {
            let end = matchEnd(s, from: start)
            pieces.append(Array(s[start..<end]))
            start = end
        }
    }

    /// The end of the regex match starting at `pos` (always > `pos`).
    private static func matchEnd(_ s: [Unicode.Scalar], from pos: Int) -> Int {
        let count = s.count
        if let end = contractionEnd(s, from: pos) { return end }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional single space, then a run.
        let hasSpace = s[pos] == " " && pos + 1 < count
        let first = hasSpace ? pos + 1 : pos
        for predicate in [isLetter, isNumber, isOther] where predicate(s[first]) {
            var end = first + 1
            while end < count, predicate(s[end]) { end += 1 }
            return end
        }
        // `\s+(?!\S)` then `\s+`: a whitespace run, leaving its last character to prefix the
        // following word when one follows.
        var end = pos
        while end < count, isWhitespace(s[end]) { end += 1 }
        if end > pos + 1, end < count { return end - 1 }
        return max(end, pos + 1)
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` (case-sensitive, as llama.cpp's gpt2 splitter).
    private static func contractionEnd(_ s: [Unicode.Scalar], from pos: Int) -> Int? {
        guard s[pos] == "'", pos + 1 < s.count else { return nil }
        let next = s[pos + 1]
        if next == "s" || next == "t" || next == "m" || next == "d" { return pos + 2 }
        guard pos + 2 < s.count else { return nil }
        let pair = String(String.UnicodeScalarView([next, s[pos + 2]]))
        return ["re", "ve", "ll"].contains(pair) ? pos + 3 : nil
    }
}
