import Foundation

extension MockTeacher {
    /// A `chat.completion` body with `choices` identical choices: `content`, or a tool call
    /// (then `content` is usually `nil` and `finish_reason` is `tool_calls`).
    public static func completionJSON(
        id: String = "chatcmpl-mock", model: String = "mock-teacher", content: String?,
        toolCall: MockToolCall? = nil, choices: Int = 1, usage: MockUsage = MockUsage(), created: Int = 1_700_000_000
    ) -> String {
        let finish = toolCall == nil ? "stop" : "tool_calls"
        let toolCalls = toolCall.map { ",\"tool_calls\":[\($0.json)]" } ?? ""
        let choiceList = (0..<max(choices, 1)).map { index in
            "{\"index\":\(index),\"message\":{\"role\":\"assistant\",\"content\":\(MockJSON.optionalString(content))\(toolCalls)},"
                + "\"logprobs\":null,\"finish_reason\":\"\(finish)\"}"
        }
        return "{\"id\":\(MockJSON.string(id)),\"object\":\"chat.completion\",\"created\":\(created),"
            + "\"model\":\(MockJSON.string(model)),\"choices\":[\(choiceList.joined(separator: ","))],"
            + "\"usage\":\(usage.json),\"system_fingerprint\":\"fp_mock\"}"
    }

    /// The `data:` payloads of a streamed completion, `[DONE]` last: per choice a role chunk,
    /// `content` in `chunks` deltas (or a tool call: id and name first, then the arguments in
    /// three pieces), a finish chunk; then, with `includeUsage`, a usage-only chunk
    /// (`"choices":[]`) — and every other chunk carries `"usage":null`, as OpenAI does.
    public static func streamEvents(
        id: String = "chatcmpl-mock", model: String = "mock-teacher", content: String = "Hello from the mock teacher.",
        chunks: Int = 3, toolCall: MockToolCall? = nil, includeUsage: Bool = false, usage: MockUsage = MockUsage(),
        choices: Int = 1
    ) -> [String] {
        let prefix = "{\"id\":\(MockJSON.string(id)),\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\(MockJSON.string(model)),\"system_fingerprint\":\"fp_mock\","
        let usageNull = includeUsage ? ",\"usage\":null" : ""
        func chunk(_ index: Int, _ delta: String, finish: String? = nil) -> String {
            prefix + "\"choices\":[{\"index\":\(index),\"delta\":\(delta),\"logprobs\":null,"
                + "\"finish_reason\":\(MockJSON.optionalString(finish))}]\(usageNull)}"
        }
        var events: [String] = []
        for index in 0..<max(choices, 1) {
            events.append(chunk(index, "{\"role\":\"assistant\",\"content\":\(toolCall == nil ? "\"\"" : "null"),\"refusal\":null}"))
            if let toolCall {
                let opening = "{\"index\":0,\"id\":\(MockJSON.string(toolCall.id)),\"type\":\"function\","
                    + "\"function\":{\"name\":\(MockJSON.string(toolCall.name)),\"arguments\":\"\"}}"
                events.append(chunk(index, "{\"tool_calls\":[\(opening)]}"))
                for piece in split(toolCall.arguments, into: 3) {
                    events.append(chunk(index, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\(MockJSON.string(piece))}}]}"))
                }
            } else {
                for piece in split(content, into: chunks) {
                    events.append(chunk(index, "{\"content\":\(MockJSON.string(piece))}"))
                }
            }
            events.append(chunk(index, "{}", finish: toolCall == nil ? "stop" : "tool_calls"))
        }
        if includeUsage {
            events.append(prefix + "\"choices\":[],\"usage\":\(usage.json)}")
        }
        events.append("[DONE]")
        return events
    }

    /// The wire bytes of `events`: `data: PAYLOAD\n\n` each; an event that starts with
    /// `event: ` is written as given (its own `data:` line included), then a blank line.
    public static func sseBytes(_ events: [String]) -> [UInt8] {
        Array(events.map { $0.hasPrefix("event: ") ? "\($0)\n\n" : "data: \($0)\n\n" }.joined().utf8)
    }

    /// An OpenAI-shaped error body.
    public static func errorJSON(message: String, type: String = "server_error", code: String? = nil) -> String {
        "{\"error\":{\"message\":\(MockJSON.string(message)),\"type\":\(MockJSON.string(type)),"
            + "\"param\":null,\"code\":\(MockJSON.optionalString(code))}}"
    }

    /// `text` cut into `count` nearly equal non-empty pieces (fewer when it is shorter).
    static func split(_ text: String, into count: Int) -> [String] {
        let characters = Array(text)
        guard !characters.isEmpty else { return [] }
        let pieces = min(max(count, 1), characters.count)
        return (0..<pieces).map { index in
            String(characters[index * characters.count / pieces..<(index + 1) * characters.count / pieces])
        }
    }
}
