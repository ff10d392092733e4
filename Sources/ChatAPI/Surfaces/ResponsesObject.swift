/// The Responses API's `response` object, written from and read into ``CompletionParts``.
public enum ResponsesObject {
    /// The `response` object for `parts`, echoing the request's settings as OpenAI does.
    ///
    /// - Parameters:
    ///   - id: the response id (`resp_…`), also the base of the item ids.
    ///   - request: the Responses request it answers.
    ///   - status: `in_progress` while streaming; otherwise derived from the finish reason.
    public static func json(_ parts: CompletionParts, id: String, createdAt: Int, request: JSONValue, status: String? = nil) -> JSONValue {
        let finished = status ?? (parts.finishReason == "length" || parts.finishReason == "content_filter" ? "incomplete" : "completed")
        var incomplete: JSONValue = .null
        if finished == "incomplete" {
            incomplete = .object([("reason", .string(parts.finishReason == "content_filter" ? "content_filter" : "max_output_tokens"))])
        }
        let output: [JSONValue] = status == "in_progress" ? [] : items(parts, id: id, status: "completed")
        var members: [(key: String, value: JSONValue)] = [
            ("id", .string(id)), ("object", .string("response")), ("created_at", .int(createdAt)), ("status", .string(finished)),
            ("error", .null), ("incomplete_details", incomplete),
            ("instructions", request["instructions"] ?? .null), ("max_output_tokens", request["max_output_tokens"] ?? .null),
            ("model", .string(parts.model ?? request["model"]?.stringValue ?? "")), ("output", .array(output)),
            ("parallel_tool_calls", request["parallel_tool_calls"] ?? .bool(true)),
            ("previous_response_id", request["previous_response_id"] ?? .null),
            ("store", request["store"] ?? .bool(true)), ("temperature", request["temperature"] ?? .double(1)),
            ("text", request["text"] ?? .object([("format", .object([("type", .string("text"))]))])),
            ("tool_choice", request["tool_choice"] ?? .string("auto")), ("tools", request["tools"] ?? .array([])),
            ("top_p", request["top_p"] ?? .double(1)), ("truncation", request["truncation"] ?? .string("disabled")),
            ("usage", parts.usage.map(usageJSON) ?? .null), ("user", request["user"] ?? .null),
            ("metadata", request["metadata"] ?? .object([])),
        ]
        if status == "in_progress" { members.removeAll { $0.key == "usage" } }
        return .object(members)
    }

    /// The output items: a `message` with the text (unless the answer is only tool calls),
    /// then one `function_call` per call.
    static func items(_ parts: CompletionParts, id: String, status: String) -> [JSONValue] {
        var items: [JSONValue] = []
        if parts.text != nil || parts.toolCalls.isEmpty {
            items.append(messageItem(id: messageID(id), text: parts.text ?? "", status: status))
        }
        for (index, call) in parts.toolCalls.enumerated() {
            items.append(functionCallItem(id: functionCallID(id, index), call: call, status: status))
        }
        return items
    }

    /// A `message` output item.
    static func messageItem(id: String, text: String?, status: String) -> JSONValue {
        .object([("id", .string(id)), ("type", .string("message")), ("status", .string(status)), ("role", .string("assistant")),
                 ("content", .array(text.map { [outputText($0)] } ?? []))])
    }

    /// An `output_text` content part.
    static func outputText(_ text: String) -> JSONValue {
        .object([("type", .string("output_text")), ("text", .string(text)), ("annotations", .array([]))])
    }

    /// A `function_call` output item.
    static func functionCallItem(id: String, call: CompletionParts.ToolCall, status: String) -> JSONValue {
        .object([("id", .string(id)), ("type", .string("function_call")), ("status", .string(status)),
                 ("call_id", .string(call.id)), ("name", .string(call.name)), ("arguments", .string(call.arguments))])
    }

    static func messageID(_ responseID: String) -> String { "msg_" + responseID.dropPrefix("resp_") }
    static func functionCallID(_ responseID: String, _ index: Int) -> String { "fc_" + responseID.dropPrefix("resp_") + "_\(index)" }

    /// The Responses `usage` object.
    static func usageJSON(_ usage: CompletionParts.TokenUsage) -> JSONValue {
        .object([("input_tokens", .int(usage.input)),
                 ("input_tokens_details", .object([("cached_tokens", .int(usage.cachedInput))])),
                 ("output_tokens", .int(usage.output)),
                 ("output_tokens_details", .object([("reasoning_tokens", .int(usage.reasoning))])),
                 ("total_tokens", .int(usage.input + usage.output))])
    }

    /// Reads a `response` object: the text of its messages, its function calls, a finish
    /// reason from its status, and its usage.
    public static func parts(_ response: JSONValue) -> CompletionParts {
        var parts = CompletionParts()
        parts.id = response["id"]?.stringValue
        parts.model = response["model"]?.stringValue
        parts.created = response["created_at"]?.intValue
        var texts: [String] = []
        for item in response["output"]?.arrayValue ?? [] {
            switch item["type"]?.stringValue {
            case "message"?:
                for part in item["content"]?.arrayValue ?? [] {
                    if let text = part["text"]?.stringValue ?? part["refusal"]?.stringValue { texts.append(text) }
                }
            case "function_call"?:
                parts.toolCalls.append(.init(id: item["call_id"]?.stringValue ?? "", name: item["name"]?.stringValue ?? "",
                                             arguments: item["arguments"]?.stringValue ?? ""))
            default: continue
            }
        }
        parts.text = texts.isEmpty ? nil : texts.joined()
        parts.finishReason = finishReason(status: response["status"]?.stringValue, incomplete: response["incomplete_details"],
                                          hasToolCalls: !parts.toolCalls.isEmpty)
        if let usage = response["usage"], let input = usage["input_tokens"]?.intValue, let output = usage["output_tokens"]?.intValue {
            parts.usage = .init(input: input, output: output,
                                cachedInput: usage["input_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
                                reasoning: usage["output_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0)
        }
        return parts
    }

    /// The chat finish reason for a response's status.
    static func finishReason(status: String?, incomplete: JSONValue?, hasToolCalls: Bool) -> String? {
        switch status {
        case "incomplete"?: return incomplete?["reason"]?.stringValue == "content_filter" ? "content_filter" : "length"
        case "completed"?: return hasToolCalls ? "tool_calls" : "stop"
        default: return nil
        }
    }
}

extension String {
    /// The string without `prefix`, if it starts with it.
    func dropPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
