/// Agreement between a candidate answer and a reference (the teacher's), for `retort eval`.
///
/// Normalization, used by both scores: Unicode lowercasing; runs of whitespace become one
/// space; leading and trailing whitespace is dropped. Punctuation is kept, because it
/// matters in structured answers (`{"a": 1}` vs `{"a": 2}`).
public enum TextScoring {
    /// `text` lowercased with whitespace runs collapsed to one space and trimmed.
    public static func normalize(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Whether the two texts are equal after ``normalize(_:)``.
    public static func exactMatch(_ candidate: String, _ reference: String) -> Bool {
        normalize(candidate) == normalize(reference)
    }

    /// The tokens F1 counts: after lowercasing, each run of letters and digits is a token and
    /// every other non-whitespace character is a token of its own (`"Paris."` → `paris`, `.`).
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                word.append(character)
                continue
            }
            if !word.isEmpty { tokens.append(word) }
            word = ""
            if !character.isWhitespace { tokens.append(String(character)) }
        }
        if !word.isEmpty { tokens.append(word) }
        return tokens
    }

    /// Token-level F1 (SQuAD-style bag-of-tokens overlap): `2·P·R / (P + R)` where
    /// `P = common / |candidate|` and `R = common / |reference|`, counting repeated tokens
    /// with multiplicity. Two empty texts score 1; one empty text scores 0.
    public static func tokenF1(_ candidate: String, _ reference: String) -> Double {
        let candidateTokens = tokens(candidate)
        let referenceTokens = tokens(reference)
        if candidateTokens.isEmpty || referenceTokens.isEmpty {
            return candidateTokens.isEmpty && referenceTokens.isEmpty ? 1 : 0
        }
        var remaining: [String: Int] = [:]
        for token in referenceTokens { remaining[token, default: 0] += 1 }
        var common = 0
        for token in candidateTokens where remaining[token, default: 0] > 0 {
            remaining[token, default: 0] -= 1
            common += 1
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(candidateTokens.count)
        let recall = Double(common) / Double(referenceTokens.count)
        return 2 * precision * recall / (precision + recall)
    }
}
