/// Reads JSON text byte by byte and says whether it can still become a value of a
/// ``JSONShape``: a pushdown automaton over JSON's grammar (RFC 8259) with the shape's
/// keys, types, literals and array bounds.
///
/// A value type: copying it is how a constrained decoder tries a token's bytes without
/// committing to them. Whitespace between structural bytes is what pretty-printers write
/// (as in llama.cpp's JSON grammar): one space, or a newline and at most
/// ``maximumIndent`` spaces or tabs, so a model cannot pad forever; numbers are at most
/// ``maximumNumberBytes`` long.
public struct JSONRecognizer: Sendable {
    /// Most spaces or tabs after a newline between structural bytes.
    public static let maximumIndent = 16
    /// Longest number, in bytes.
    public static let maximumNumberBytes = 32

    var stack: [Frame]
    /// The whitespace since the last structural byte: 0 none, −1 one space, n > 0 a
    /// newline and n − 1 spaces or tabs.
    var whitespaceRun = 0

    /// A recognizer expecting one value of `shape`.
    public init(shape: JSONShape) {
        stack = [.root(shape, done: false)]
    }

    /// Whether the text read so far is a whole value (only whitespace may follow).
    public var isComplete: Bool {
        guard stack.count == 1, case .root(_, true) = stack[0] else { return false }
        return true
    }

    /// Whether the reader is inside a string of any content (not a key or an enum), where
    /// every byte but `"`, `\` and control bytes keeps the state as it is.
    public var isInFreeString: Bool {
        if case .string(.normal)? = stack.last { return true }
        return false
    }

    /// Reads `bytes`; false (and a state not to be used further) if any is not allowed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> Bool {
        for byte in bytes where !feed(byte) { return false }
        return true
    }

    /// Reads one byte; false if the text can no longer become a value of the shape.
    public mutating func feed(_ byte: UInt8) -> Bool {
        let isSpace = byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
        if !isSpace { whitespaceRun = 0 }
        while let top = stack.last {
            switch top {
            case .root(let shape, let done):
                if isSpace { return space(byte) }
                guard !done else { return false }
                stack[stack.count - 1] = .root(shape, done: true)
                return start(shape, byte)
            case .string(let phase): return string(phase, byte)
            case .number(var number):
                if let accepted = number.feed(byte) {
                    stack[stack.count - 1] = .number(number)
                    return accepted
                }
                finishChild(index: nil)  // the number ended before this byte: the parent reads it
            case .literal(var literal):
                switch literal.feed(byte) {
                case .accepted:
                    stack[stack.count - 1] = .literal(literal)
                    if literal.isUniqueMatch { finishChild(index: literal.matchedIndex) }
                    return true
                case .rejected: return false
                case .endedBefore(let index): finishChild(index: index)
                }
            case .object(var object):
                return objectByte(&object, byte, isSpace: isSpace)
            case .array(var array):
                return arrayByte(&array, byte, isSpace: isSpace)
            }
        }
        return false
    }

    // MARK: - Values

    /// Starts a value of `shape` with its first byte.
    mutating func start(_ shape: JSONShape, _ byte: UInt8) -> Bool {
        switch shape {
        case .any:
            switch byte {
            case UInt8(ascii: "{"): return start(.anyObject, byte)
            case UInt8(ascii: "["): return start(.array(items: .any, minItems: 0, maxItems: nil), byte)
            case UInt8(ascii: "\""): return start(.string, byte)
            case UInt8(ascii: "t"), UInt8(ascii: "f"): return start(.boolean, byte)
            case UInt8(ascii: "n"): return start(.null, byte)
            default: return start(.number, byte)
            }
        case .object(let properties):
            guard byte == UInt8(ascii: "{") else { return false }
            stack.append(.object(ObjectFrame(properties: properties)))
            return true
        case .array(let items, let minItems, let maxItems):
            guard byte == UInt8(ascii: "[") else { return false }
            stack.append(.array(ArrayFrame(items: items, minItems: minItems, maxItems: maxItems)))
            return true
        case .string:
            guard byte == UInt8(ascii: "\"") else { return false }
            stack.append(.string(.normal))
            return true
        case .number, .integer:
            var number = NumberFrame(integer: shape == .integer)
            guard number.feed(byte) == true else { return false }
            stack.append(.number(number))
            return true
        case .boolean: return startLiteral(["true", "false"], byte)
        case .null: return startLiteral(["null"], byte)
        case .literals(let texts): return startLiteral(texts, byte)
        case .oneOf(let shapes):
            guard let shape = shapes.first(where: { $0.firstBytes.contains(byte) }) else { return false }
            return start(shape, byte)
        }
    }

    private mutating func startLiteral(_ texts: [String], _ byte: UInt8) -> Bool {
        var literal = LiteralFrame(candidates: texts.map { Array($0.utf8) })
        guard case .accepted = literal.feed(byte) else { return false }
        stack.append(.literal(literal))
        if literal.isUniqueMatch { finishChild(index: literal.matchedIndex) }
        return true
    }

    private mutating func string(_ phase: StringPhase, _ byte: UInt8) -> Bool {
        switch phase {
        case .normal:
            if byte == UInt8(ascii: "\"") {
                finishChild(index: nil)
            } else if byte == UInt8(ascii: "\\") {
                stack[stack.count - 1] = .string(.escape)
            } else if byte < 0x20 {
                return false
            }
            return true
        case .escape:
            if byte == UInt8(ascii: "u") {
                stack[stack.count - 1] = .string(.unicode(remaining: 4))
                return true
            }
            guard Array("\"\\/bfnrt".utf8).contains(byte) else { return false }
            stack[stack.count - 1] = .string(.normal)
            return true
        case .unicode(let remaining):
            guard byte.isHexDigit else { return false }
            stack[stack.count - 1] = .string(remaining == 1 ? .normal : .unicode(remaining: remaining - 1))
            return true
        }
    }

    /// Pops the finished value on top and tells its parent (`index`: which key matched).
    mutating func finishChild(index: Int?) {
        stack.removeLast()
        guard case .object(var object)? = stack.last, object.phase == .open || object.phase == .key else { return }
        object.keyFinished(index: index)
        stack[stack.count - 1] = .object(object)
    }

    mutating func space(_ byte: UInt8) -> Bool {
        switch (whitespaceRun, byte) {
        case (0, 0x20): whitespaceRun = -1
        case (0, 0x0A): whitespaceRun = 1
        case (1...Self.maximumIndent, 0x20), (1...Self.maximumIndent, 0x09): whitespaceRun += 1
        default: return false
        }
        return true
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
