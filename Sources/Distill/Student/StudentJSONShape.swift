import ChatAPI
import Engine

/// The ``JSONShape`` a request's `response_format` asks the student for: any object for
/// `json_object`, the schema's shape for `json_schema`.
///
/// What the constrained decoder enforces is exactly what the shape says: types, keys
/// (declared ones, in order, required ones always), `enum`/`const`, array lengths, and
/// `anyOf`/`oneOf`/type lists whose alternatives start differently. A schema that leans
/// on anything else (`pattern`, numeric bounds, string lengths, `allOf`,
/// `uniqueItems`, recursion) could not be guaranteed, so such a request is the teacher's.
public enum StudentJSONShape {
    /// Keywords that restrict values further than a shape can.
    static let unenforced = ["pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                             "multipleOf", "uniqueItems", "allOf", "not", "if", "patternProperties", "minProperties",
                             "maxProperties", "contains", "prefixItems", "dependentRequired", "propertyNames"]

    /// Why a schema cannot be decoded by the student.
    public struct Unsupported: Error, Sendable, Equatable, CustomStringConvertible {
        /// The keyword or construct, e.g. `pattern`.
        public var feature: String
        public var description: String { "response_format schemas using \(feature)" }
    }

    /// The shape for `chat`'s `response_format`; nil when it asks for plain text.
    public static func shape(for chat: ChatRequest) throws(Unsupported) -> JSONShape? {
        guard let format = chat.json["response_format"] else { return nil }
        switch format["type"]?.stringValue {
        case "json_object"?: return .anyObject
        case "json_schema"?:
            guard let schema = format["json_schema"]?["schema"] else { return .anyObject }
            let shape = try self.shape(schema, root: schema, depth: 0)
            guard shape.isDeterministic else { throw Unsupported(feature: "alternatives that start alike") }
            return shape
        default: return nil
        }
    }

    static func shape(_ schema: JSONValue, root: JSONValue, depth: Int) throws(Unsupported) -> JSONShape {
        guard depth < 32 else { throw Unsupported(feature: "recursive definitions") }
        if schema.boolValue == true { return .any }
        if let reference = schema["$ref"]?.stringValue { return try shape(resolve(reference, in: root), root: root, depth: depth + 1) }
        if let keyword = unenforced.first(where: { schema[$0] != nil }) { throw Unsupported(feature: keyword) }
        if let constant = schema["const"] { return .literals([constant.jsonString]) }
        if let values = schema["enum"]?.arrayValue { return .literals(values.map(\.jsonString)) }
        if let alternatives = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue {
            var shapes: [JSONShape] = []
            for alternative in alternatives { shapes.append(try shape(alternative, root: root, depth: depth + 1)) }
            return .oneOf(shapes)
        }
        switch schema["type"] {
        case .array(let names)?:
            var shapes: [JSONShape] = []
            for name in names { shapes.append(try shape(schema.setting("type", to: name), root: root, depth: depth + 1)) }
            return .oneOf(shapes)
        case .string(let name)?:
            return try typed(name, schema, root: root, depth: depth)
        default:
            if schema["properties"] != nil { return try typed("object", schema, root: root, depth: depth) }
            if schema["items"] != nil { return try typed("array", schema, root: root, depth: depth) }
            return .any
        }
    }

    static func typed(_ name: String, _ schema: JSONValue, root: JSONValue, depth: Int) throws(Unsupported) -> JSONShape {
        switch name {
        case "string": return .string
        case "number": return .number
        case "integer": return .integer
        case "boolean": return .boolean
        case "null": return .null
        case "array":
            let items = try schema["items"].map { item throws(Unsupported) in try shape(item, root: root, depth: depth + 1) } ?? .any
            return .array(items: items, minItems: schema["minItems"]?.intValue ?? 0, maxItems: schema["maxItems"]?.intValue)
        default:
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            var properties: [JSONShape.Property] = []
            for (key, subschema) in schema["properties"]?.objectValue ?? [] {
                properties.append(.init(name: key, shape: try shape(subschema, root: root, depth: depth + 1), required: required.contains(key)))
            }
            return .object(properties: properties)
        }
    }

    /// The subschema a local `$ref` (`#/$defs/Name`, `#/definitions/Name`) points at.
    static func resolve(_ reference: String, in root: JSONValue) throws(Unsupported) -> JSONValue {
        guard reference.hasPrefix("#") else { throw Unsupported(feature: "remote $ref") }
        var node = root
        for part in reference.dropFirst().split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[key] else { throw Unsupported(feature: "a $ref that does not resolve") }
            node = next
        }
        return node
    }
}
