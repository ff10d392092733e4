/// Anthropic's `message` object, written from and read into ``CompletionParts``.
public enum MessagesObject {
    /// The `message` for `parts`: a `text` block (unless the answer is only tool calls),
    /// then a `tool_use` block per call, with Anthropic's stop reason and usage.
    public static func json(_ parts: CompletionParts, id: String, model: String) -> JSONValue {
        var content: [JSONValue] = []
        let text = parts.text ?? ""
        if !text.isEmpty || parts.toolCalls.isEmpty { content.append(textBlock(text)) }
        for call in parts.toolCalls { content.append(toolUseBlock(call, input: input(call.arguments))) }
        return .object([
            ("id", .string(id)), ("type", .string("message")), ("role", .string("assistant")),
            ("model", .string(parts.model ?? model)), ("content", .array(content)),
            ("stop_reason", stopReason(parts.finishReason).map(JSONValue.string) ?? .null), ("stop_sequence", .null),
            ("usage", usageJSON(parts.usage ?? .init(input: 0, output: 0))),
        ])
    }

    /// A `text` block.
    static func textBlock(_ text: String) -> JSONValue {
        .object([("type", .string("text")), ("text", .string(text))])
    }

    /// A `tool_use` block with `input` as given.
    static func toolUseBlock(_ call: CompletionParts.ToolCall, input: JSONValue) -> JSONValue {
        .object([("type", .string("tool_use")), ("id", .string(call.id)), ("name", .string(call.name)), ("input", input)])
    }

    /// A call's arguments as the object `tool_use.input` must be (empty when they do not parse).
    static func input(_ arguments: String) -> JSONValue {
        guard let value = try? JSONValue.parse(Array(arguments.utf8)), case .object = value else { return .object([]) }
        return value
    }

    /// Anthropic's stop reason for a chat finish reason.
    static func stopReason(_ finishReason: String?) -> String? {
        switch finishReason {
        case "stop"?: return "end_turn"
        case "length"?: return "max_tokens"
        case "tool_calls"?, "function_call"?: return "tool_use"
        case "content_filter"?: return "refusal"
        default: return nil
        }
    }

    /// The chat finish reason for an Anthropic stop reason.
    static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case "end_turn"?, "stop_sequence"?, "pause_turn"?: return "stop"
        case "max_tokens"?, "model_context_window_exceeded"?: return "length"
        case "tool_use"?: return "tool_calls"
        case "refusal"?: return "content_filter"
        default: return nil
        }
    }

    /// Anthropic's `usage`: input tokens exclude the ones read from the cache.
    static func usageJSON(_ usage: CompletionParts.TokenUsage) -> JSONValue {
        .object([("input_tokens", .int(usage.input - usage.cachedInput)), ("cache_creation_input_tokens", .int(0)),
                 ("cache_read_input_tokens", .int(usage.cachedInput)), ("output_tokens", .int(usage.output))])
    }

    /// Reads Anthropic `usage` (cache reads and writes count as prompt tokens).
    static func usage(_ json: JSONValue?) -> CompletionParts.TokenUsage? {
        guard let json, let output = json["output_tokens"]?.intValue else { return nil }
        let cached = json["cache_read_input_tokens"]?.intValue ?? 0
        let input = (json["input_tokens"]?.intValue ?? 0) + cached + (json["cache_creation_input_tokens"]?.intValue ?? 0)
        return .init(input: input, output: output, cachedInput: cached)
    }

    /// Reads a `message`: its text blocks joined, its `tool_use` blocks as calls.
    public static func parts(_ message: JSONValue) -> CompletionParts {
        var parts = CompletionParts()
        parts.id = message["id"]?.stringValue
        parts.model = message["model"]?.stringValue
        var texts: [String] = []
        for block in message["content"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "text"?: texts.append(block["text"]?.stringValue ?? "")
            case "tool_use"?:
                parts.toolCalls.append(.init(id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                                             arguments: (block["input"] ?? .object([])).jsonString))
            default: continue
            }
        }
        parts.text = texts.isEmpty ? nil : texts.joined()
        parts.finishReason = finishReason(message["stop_reason"]?.stringValue)
        parts.usage = usage(message["usage"])
        return parts
    }
}

extension OpenAIError {
    /// This error in Anthropic's shape, `{"type":"error","error":{"type","message"}}`.
    public var anthropicJSON: JSONValue {
        .object([("type", .string("error")), ("error", .object([("type", .string(anthropicType)), ("message", .string(message))]))])
    }

    /// Anthropic's error type for this status.
    public var anthropicType: String {
        switch status {
        case 400, 415, 422: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 503, 529: return "overloaded_error"
        case 504: return "timeout_error"
        default: return "api_error"
        }
    }

    /// Reads an error body in either shape (OpenAI's or Anthropic's) with its status.
    public init(status: Int, body: JSONValue?) {
        let error = body?["error"]
        self.init(status: status, message: error?["message"]?.stringValue ?? "The upstream answered with status \(status).",
                  type: error?["type"]?.stringValue ?? (status < 500 ? "invalid_request_error" : "api_error"),
                  param: error?["param"]?.stringValue, code: error?["code"]?.stringValue)
    }
}
