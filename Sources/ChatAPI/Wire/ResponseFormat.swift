/// Checks `response_format` before anything is paid for: a `json_schema` format needs a
/// `name` and, if it gives a `schema`, one whose keywords have the right types. A schema
/// the student cannot decode is still valid (the teacher answers it); this rejects only
/// what no model could honour.
public enum ResponseFormat {
    /// Known JSON Schema type names.
    static let typeNames: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    /// Whether a `response_format.type` of `type` asks for a JSON answer (`json_object` or `json_schema`).
    public static func asksForJSON(_ type: String?) -> Bool { type == "json_object" || type == "json_schema" }

    /// Validates `format` (the `response_format` object).
    /// - Throws: ``OpenAIError`` 400 naming the parameter.
    public static func validate(_ format: JSONValue) throws(OpenAIError) {
        switch format["type"]?.stringValue {
        case "text"?, "json_object"?: return
        case "json_schema"?:
            guard let definition = format["json_schema"], case .object = definition else {
                throw .invalidRequest("Missing required parameter: 'response_format.json_schema'.", param: "response_format.json_schema",
                                      code: "missing_required_parameter")
            }
            guard definition["name"]?.stringValue?.isEmpty == false else {
                throw .invalidRequest("Missing required parameter: 'response_format.json_schema.name'.",
                                      param: "response_format.json_schema.name", code: "missing_required_parameter")
            }
            if let schema = definition["schema"] { try check(schema, path: "response_format.json_schema.schema", depth: 0) }
        case let type?:
            throw .invalidRequest("Invalid value for 'response_format.type': '\(type)'. Supported values are: 'text', 'json_object' and 'json_schema'.",
                                  param: "response_format.type", code: "invalid_value")
        case nil:
            throw .invalidRequest("Missing required parameter: 'response_format.type'.", param: "response_format.type", code: "missing_required_parameter")
        }
    }

    /// Checks one schema's keywords and, recursively, its subschemas.
    static func check(_ schema: JSONValue, path: String, depth: Int) throws(OpenAIError) {
        func invalid(_ reason: String, _ at: String) -> OpenAIError {
            .invalidRequest("Invalid schema for response_format: \(at): \(reason).", param: "response_format", code: "invalid_json_schema")
        }
        if case .bool = schema { return }
        guard case .object = schema else { throw invalid("a schema must be an object", path) }
        guard depth < 64 else { throw invalid("nested too deeply", path) }
        switch schema["type"] {
        case nil: break
        case .string(let name)?: guard typeNames.contains(name) else { throw invalid("unknown type '\(name)'", path + ".type") }
        case .array(let names)?:
            for name in names { guard let name = name.stringValue, typeNames.contains(name) else { throw invalid("unknown type", path + ".type") } }
        default: throw invalid("'type' must be a string or an array of strings", path + ".type")
        }
        if let properties = schema["properties"] {
            guard let members = properties.objectValue else { throw invalid("'properties' must be an object", path + ".properties") }
            for (name, subschema) in members { try check(subschema, path: path + ".properties." + name, depth: depth + 1) }
        }
        if let required = schema["required"] {
            guard let names = required.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else {
                throw invalid("'required' must be an array of strings", path + ".required")
            }
        }
        if let items = schema["items"] { try check(items, path: path + ".items", depth: depth + 1) }
        if let values = schema["enum"], values.arrayValue?.isEmpty != false { throw invalid("'enum' must be a non-empty array", path + ".enum") }
        for keyword in ["anyOf", "oneOf", "allOf"] {
            guard let alternatives = schema[keyword] else { continue }
            guard let list = alternatives.arrayValue, !list.isEmpty else { throw invalid("'\(keyword)' must be a non-empty array", path + "." + keyword) }
            for (index, alternative) in list.enumerated() { try check(alternative, path: "\(path).\(keyword)[\(index)]", depth: depth + 1) }
        }
        for keyword in ["$defs", "definitions"] {
            guard let definitions = schema[keyword] else { continue }
            guard let members = definitions.objectValue else { throw invalid("'\(keyword)' must be an object", path + "." + keyword) }
            for (name, subschema) in members { try check(subschema, path: "\(path).\(keyword).\(name)", depth: depth + 1) }
        }
    }
}
