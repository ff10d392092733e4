/// The JSON a constrained generation may produce: a value of this shape. Built from a
/// JSON Schema by the caller (the engine knows no schema syntax); see ``JSONRecognizer``.
public indirect enum JSONShape: Sendable, Equatable {
    /// Any JSON value.
    case any
    /// An object. With `properties`, exactly those keys may appear, in that order, the
    /// required ones always; with none, any keys with any values.
    case object(properties: [Property])
    /// An array of `items`, `minItems…maxItems` long (`maxItems` nil: no bound).
    case array(items: JSONShape, minItems: Int, maxItems: Int?)
    /// A string.
    case string
    /// A number (JSON's grammar).
    case number
    /// An integer (no fraction or exponent).
    case integer
    /// `true` or `false`.
    case boolean
    /// `null`.
    case null
    /// One of these JSON texts exactly (an `enum` or `const`), each compactly written.
    case literals([String])
    /// One of these shapes; they must start differently (a string or null, say), since
    /// the first byte picks the alternative.
    case oneOf([JSONShape])

    /// An object member.
    public struct Property: Sendable, Equatable {
        /// The key.
        public var name: String
        /// The value's shape.
        public var shape: JSONShape
        /// Whether the key must appear.
        public var required: Bool

        /// Creates a member.
        public init(name: String, shape: JSONShape, required: Bool) {
            self.name = name
            self.shape = shape
            self.required = required
        }
    }

    /// Any JSON object (`response_format: {"type": "json_object"}`).
    public static let anyObject = JSONShape.object(properties: [])

    /// The first bytes a value of this shape can start with.
    var firstBytes: Set<UInt8> {
        switch self {
        case .any: return Set("{[\"-0123456789tfn".utf8)
        case .object: return [UInt8(ascii: "{")]
        case .array: return [UInt8(ascii: "[")]
        case .string: return [UInt8(ascii: "\"")]
        case .number, .integer: return Set("-0123456789".utf8)
        case .boolean: return Set("tf".utf8)
        case .null: return [UInt8(ascii: "n")]
        case .literals(let texts): return Set(texts.compactMap(\.utf8.first))
        case .oneOf(let shapes): return shapes.reduce(into: Set()) { $0.formUnion($1.firstBytes) }
        }
    }

    /// Whether the alternatives of every `oneOf` inside start with different bytes, so a
    /// recognizer can tell them apart by their first byte.
    public var isDeterministic: Bool {
        switch self {
        case .object(let properties): return properties.allSatisfy(\.shape.isDeterministic)
        case .array(let items, _, _): return items.isDeterministic
        case .oneOf(let shapes):
            var seen = Set<UInt8>()
            for shape in shapes {
                guard shape.isDeterministic, seen.isDisjoint(with: shape.firstBytes) else { return false }
                seen.formUnion(shape.firstBytes)
            }
            return true
        default: return true
        }
    }
}
