/// Minimal JSON text building for the mock's bodies, so key order matches OpenAI's.
enum MockJSON {
    /// `text` as a JSON string literal, quotes included.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `text` as a JSON string literal, or `null`.
    static func optionalString(_ text: String?) -> String {
        text.map(string) ?? "null"
    }
}

/// A tool call the mock teacher makes.
public struct MockToolCall: Sendable, Equatable {
    /// The call id, e.g. `call_mock_1`.
    public var id: String
    /// The function name.
    public var name: String
    /// The arguments as JSON text.
    public var arguments: String

    /// Creates a tool call.
    public init(id: String = "call_mock_1", name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The OpenAI `tool_calls` entry.
    var json: String {
        "{\"id\":\(MockJSON.string(id)),\"type\":\"function\",\"function\":{\"name\":\(MockJSON.string(name)),\"arguments\":\(MockJSON.string(arguments))}}"
    }
}

/// Token counts the mock reports.
public struct MockUsage: Sendable, Equatable {
    /// Prompt tokens.
    public var promptTokens: Int
    /// Completion tokens.
    public var completionTokens: Int

    /// Creates usage figures.
    public init(promptTokens: Int = 5, completionTokens: Int = 3) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// The OpenAI `usage` object.
    var json: String {
        "{\"prompt_tokens\":\(promptTokens),\"completion_tokens\":\(completionTokens),\"total_tokens\":\(promptTokens + completionTokens)}"
    }
}
