import Foundation

extension MockTeacher {
    /// Answers like an OpenAI chat endpoint: the assistant repeats the last user message.
    /// Reads `model`, `stream`, `stream_options.include_usage`, `tools` (then it calls the
    /// first tool with `{"text": …}`) and `n` from the request. `GET …/models` lists one model;
    /// a body that is not a JSON object gets a 400.
    @Sendable
    public static func defaultReply(_ request: MockRequest) -> MockReply {
        if request.method == "GET" && request.path.hasSuffix("/models") {
            return .json(body: "{\"object\":\"list\",\"data\":[{\"id\":\"mock-teacher\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"mock\"}]}")
        }
        guard let json = request.json else {
            return .status(400, body: errorJSON(message: "body is not a JSON object", type: "invalid_request_error"))
        }
        let model = json["model"] as? String ?? "mock-teacher"
        let messages = json["messages"] as? [[String: Any]] ?? []
        let text = lastUserText(messages) ?? "Hello from the mock teacher."
        let toolName = ((json["tools"] as? [[String: Any]])?.first?["function"] as? [String: Any])?["name"] as? String
        let toolCall = toolName.map { MockToolCall(name: $0, arguments: "{\"text\":\(MockJSON.string(text))}") }
        let usage = MockUsage(
            promptTokens: max(1, messages.map { wordCount(contentText($0["content"])) }.reduce(0, +)),
            completionTokens: max(1, wordCount(toolCall?.arguments ?? text)))
        let id = "chatcmpl-mock-\(UUID().uuidString.prefix(8).lowercased())"
        let choices = json["n"] as? Int ?? 1
        guard json["stream"] as? Bool == true else {
            return .json(body: completionJSON(
                id: id, model: model, content: toolCall == nil ? text : nil, toolCall: toolCall, choices: choices, usage: usage))
        }
        let includeUsage = (json["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
        return .stream(events: streamEvents(
            id: id, model: model, content: text, chunks: 3, toolCall: toolCall, includeUsage: includeUsage,
            usage: usage, choices: choices))
    }

    /// The text of the last `user` message.
    private static func lastUserText(_ messages: [[String: Any]]) -> String? {
        messages.last { $0["role"] as? String == "user" }.map { contentText($0["content"]) }
    }

    /// A message's text, whether `content` is a string or a list of parts.
    private static func contentText(_ content: Any?) -> String {
        if let text = content as? String { return text }
        let parts = content as? [[String: Any]] ?? []
        return parts.compactMap { $0["text"] as? String }.joined(separator: " ")
    }

    private static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }
}
