/// Reads optional typed fields of a JSON object, throwing OpenAI-shaped 400s that
/// name the parameter when a field has the wrong type or is out of range.
public struct FieldReader {
    /// The object read.
    let json: JSONValue
    /// Written before each key in error messages (`stream_options.`).
    var prefix = ""

    /// A reader of `json`, naming fields with `prefix`.
    public init(json: JSONValue, prefix: String = "") {
        self.json = json
        self.prefix = prefix
    }

    func value(_ key: String) -> JSONValue? {
        guard let value = json[key], value != .null else { return nil }
        return value
    }

    func typeError(_ key: String, _ expected: String, _ got: JSONValue) -> OpenAIError {
        .invalidRequest("Invalid type for '\(prefix)\(key)': expected \(expected), but got \(got.typeName).",
                        param: prefix + key, code: "invalid_type")
    }

    func rangeError(_ key: String, _ range: String) -> OpenAIError {
        .invalidRequest("Invalid value for '\(prefix)\(key)': must be \(range).", param: prefix + key, code: "invalid_value")
    }

    /// The string at `key`, if present.
    public func string(_ key: String) throws(OpenAIError) -> String? {
        guard let value = value(key) else { return nil }
        guard let s = value.stringValue else { throw typeError(key, "a string", value) }
        return s
    }

    /// The boolean at `key`, if present.
    public func bool(_ key: String) throws(OpenAIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let b = value.boolValue else { throw typeError(key, "a boolean", value) }
        return b
    }

    /// The object at `key`, if present.
    public func object(_ key: String) throws(OpenAIError) -> JSONValue? {
        guard let value = value(key) else { return nil }
        guard value.objectValue != nil else { throw typeError(key, "an object", value) }
        return value
    }

    /// The array at `key`, if present.
    public func array(_ key: String) throws(OpenAIError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let a = value.arrayValue else { throw typeError(key, "an array", value) }
        return a
    }

    /// The integer at `key` within `range`, if present.
    public func int(_ key: String, in range: ClosedRange<Int>) throws(OpenAIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let i = value.intValue else { throw typeError(key, "an integer", value) }
        guard range.contains(i) else { throw rangeError(key, "between \(range.lowerBound) and \(range.upperBound)") }
        return i
    }

    /// The number at `key` within `range`, if present.
    public func double(_ key: String, in range: ClosedRange<Double>) throws(OpenAIError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let d = value.doubleValue, d.isFinite else { throw typeError(key, "a number", value) }
        guard range.contains(d) else { throw rangeError(key, "between \(range.lowerBound) and \(range.upperBound)") }
        return d
    }

    /// `stop`: a string or an array of up to 4 strings.
    func stopSequences() throws(OpenAIError) -> [String] {
        switch value("stop") {
        case nil: return []
        case .string(let s)?: return [s]
        case .array(let items)?:
            var out: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw typeError("stop", "a string or an array of strings", item) }
                out.append(s)
            }
            guard out.count <= 4 else { throw rangeError("stop", "at most 4 sequences") }
            return out
        case let other?: throw typeError("stop", "a string or an array of strings", other)
        }
    }
}
