extension JSONRecognizer {
    /// One open construct, innermost last.
    enum Frame: Sendable {
        case root(JSONShape, done: Bool)
        case object(ObjectFrame)
        case array(ArrayFrame)
        case string(StringPhase)
        case number(NumberFrame)
        case literal(LiteralFrame)
    }

    enum StringPhase: Sendable, Equatable {
        case normal, escape
        case unicode(remaining: Int)
    }

    /// An object being read: which declared key may come next, and where in the
    /// `{ "key" : value , … }` cycle it is.
    struct ObjectFrame: Sendable {
        enum Phase: Sendable { case open, key, colon, value, after }
        let properties: [JSONShape.Property]
        /// Index of the first declared property that may still come.
        var next = 0
        var phase = Phase.open
        var valueShape = JSONShape.any

        init(properties: [JSONShape.Property]) {
            self.properties = properties
        }

        var isFree: Bool { properties.isEmpty }
        /// Whether the object may close: no required key is left.
        var canClose: Bool { isFree || !properties[next...].contains(where: \.required) }
        /// Whether another key may come.
        var canContinue: Bool { isFree || next < properties.count }

        /// The keys that may come next: up to and including the first required one.
        var candidateKeys: ArraySlice<JSONShape.Property> {
            let end = properties[next...].firstIndex(where: \.required).map { $0 + 1 } ?? properties.count
            return properties[next..<end]
        }

        /// A key was read: declared key `index` among the candidates, or any key.
        mutating func keyFinished(index: Int?) {
            if let index {
                let position = next + index
                valueShape = properties[position].shape
                next = position + 1
            } else {
                valueShape = .any
            }
            phase = .colon
        }
    }

    struct ArrayFrame: Sendable {
        let items: JSONShape
        let minItems: Int
        let maxItems: Int?
        var count = 0
        /// true after `[` or `,` (a value may come), false after a value.
        var expectsValue = true
        var afterComma = false
    }

    /// A number being read, as JSON's grammar's states.
    struct NumberFrame: Sendable {
        enum Phase: Sendable { case start, minus, zero, integer, dot, fraction, exponent, exponentSign, exponentDigits }
        let integerOnly: Bool
        var phase = Phase.start
        var length = 0

        init(integer: Bool) {
            integerOnly = integer
        }

        var isComplete: Bool { [.zero, .integer, .fraction, .exponentDigits].contains(phase) }

        /// true: read; false: not allowed; nil: the number ended before this byte.
        mutating func feed(_ byte: UInt8) -> Bool? {
            let digit = (0x30...0x39).contains(byte)
            guard length < JSONRecognizer.maximumNumberBytes || !(digit || "-+.eE".utf8.contains(byte)) else { return isComplete ? nil : false }
            let next: Phase?
            switch phase {
            case .start: next = byte == UInt8(ascii: "-") ? .minus : byte == UInt8(ascii: "0") ? .zero : digit ? .integer : nil
            case .minus: next = byte == UInt8(ascii: "0") ? .zero : digit ? .integer : nil
            case .zero, .integer:
                if digit && phase == .integer { next = .integer }
                else if byte == UInt8(ascii: ".") && !integerOnly { next = .dot }
                else if (byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")) && !integerOnly { next = .exponent }
                else { next = nil }
            case .dot: next = digit ? .fraction : nil
            case .fraction: next = digit ? .fraction : (byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")) ? .exponent : nil
            case .exponent: next = (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) ? .exponentSign : digit ? .exponentDigits : nil
            case .exponentSign, .exponentDigits: next = digit ? .exponentDigits : nil
            }
            guard let next else { return isComplete ? nil : false }
            phase = next
            length += 1
            return true
        }
    }

    /// One of several exact texts (keys with their quotes, `true`, an enum's values).
    struct LiteralFrame: Sendable {
        enum Outcome { case accepted, rejected, endedBefore(index: Int) }
        var candidates: [(text: [UInt8], index: Int)]
        var matched = 0

        init(candidates: [[UInt8]]) {
            self.candidates = candidates.enumerated().map { ($1, $0) }
        }

        /// The one candidate left, fully read: nothing can extend it.
        var isUniqueMatch: Bool { candidates.count == 1 && candidates[0].text.count == matched }
        var matchedIndex: Int? { candidates.first { $0.text.count == matched }?.index }

        mutating func feed(_ byte: UInt8) -> Outcome {
            let extended = candidates.filter { $0.text.count > matched && $0.text[matched] == byte }
            if !extended.isEmpty {
                candidates = extended
                matched += 1
                return .accepted
            }
            if let index = matchedIndex { return .endedBefore(index: index) }
            return .rejected
        }
    }

    // MARK: - Containers

    mutating func objectByte(_ object: inout ObjectFrame, _ byte: UInt8, isSpace: Bool) -> Bool {
        if isSpace { return space(byte) }
        switch object.phase {
        case .open, .key:
            if byte == UInt8(ascii: "}") && object.phase == .open {
                guard object.canClose else { return false }
                finishObjectLike()
                return true
            }
            guard byte == UInt8(ascii: "\"") else { return false }
            if object.isFree {
                stack.append(.string(.normal))
                // The key string's end calls keyFinished(index: nil).
                return true
            }
            let keys = object.candidateKeys.map { JSONRecognizer.quoted($0.name) }
            guard !keys.isEmpty else { return false }
            var literal = LiteralFrame(candidates: keys)
            guard case .accepted = literal.feed(byte) else { return false }
            stack.append(.literal(literal))
            return true
        case .colon:
            guard byte == UInt8(ascii: ":") else { return false }
            object.phase = .value
            stack[stack.count - 1] = .object(object)
            return true
        case .value:
            object.phase = .after
            stack[stack.count - 1] = .object(object)
            return start(object.valueShape, byte)
        case .after:
            if byte == UInt8(ascii: ",") {
                guard object.canContinue else { return false }
                object.phase = .key
                stack[stack.count - 1] = .object(object)
                return true
            }
            guard byte == UInt8(ascii: "}"), object.canClose else { return false }
            finishObjectLike()
            return true
        }
    }

    mutating func arrayByte(_ array: inout ArrayFrame, _ byte: UInt8, isSpace: Bool) -> Bool {
        if isSpace { return space(byte) }
        if array.expectsValue {
            if byte == UInt8(ascii: "]") && !array.afterComma {
                guard array.count >= array.minItems else { return false }
                finishObjectLike()
                return true
            }
            guard array.maxItems.map({ array.count < $0 }) ?? true else { return false }
            array.count += 1
            array.expectsValue = false
            stack[stack.count - 1] = .array(array)
            return start(array.items, byte)
        }
        if byte == UInt8(ascii: ",") {
            guard array.maxItems.map({ array.count < $0 }) ?? true else { return false }
            array.expectsValue = true
            array.afterComma = true
            stack[stack.count - 1] = .array(array)
            return true
        }
        guard byte == UInt8(ascii: "]"), array.count >= array.minItems else { return false }
        finishObjectLike()
        return true
    }

    /// Closes the object or array on top (a value of its parent).
    private mutating func finishObjectLike() {
        stack.removeLast()
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x61 + value - 10
    }

    /// `name` as a JSON string literal's bytes.
    static func quoted(_ name: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case ..<0x20: out += Array("\\u00".utf8) + [hexDigit(byte >> 4), hexDigit(byte & 0xF)]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
