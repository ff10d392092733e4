import Foundation

extension MockTeacher {
    /// Answers like OpenAI's `POST /v1/responses`: the output text repeats the last user
    /// input, usage counts words. Streams send the documented event sequence, written by
    /// hand here so the gateway's own encoder is not its own reference.
    @Sendable
    public static func responsesReply(_ request: MockRequest) -> MockReply {
        guard request.path.hasSuffix("/responses"), let json = request.json else {
            return .status(404, body: errorJSON(message: "mock Responses teacher: \(request.method) \(request.path)", type: "invalid_request_error"))
        }
        let text = lastInputText(json["input"]) ?? "Hello."
        let model = json["model"] as? String ?? "mock-responses"
        let words = max(1, text.split(separator: " ").count)
        let usage = "{\"input_tokens\":\(words + 3),\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":\(words),\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":\(2 * words + 3)}"
        let item = "{\"id\":\"msg_mock\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\(MockJSON.string(text)),\"annotations\":[]}]}"
        func response(_ status: String, output: String, usage: String) -> String {
            "{\"id\":\"resp_mockteacher\",\"object\":\"response\",\"created_at\":1700000000,\"status\":\"\(status)\",\"model\":\(MockJSON.string(model)),\"output\":[\(output)],\"usage\":\(usage)}"
        }
        guard json["stream"] as? Bool == true else { return .json(body: response("completed", output: item, usage: usage)) }
        let pieces = split(text, into: 3)
        var events: [(String, String)] = [
            ("response.created", "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":\(response("in_progress", output: "", usage: "null"))}"),
            ("response.output_item.added", "{\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_mock\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}"),
        ]
        for (index, piece) in pieces.enumerated() {
            events.append(("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":\(index + 2),\"item_id\":\"msg_mock\",\"output_index\":0,\"content_index\":0,\"delta\":\(MockJSON.string(piece))}"))
        }
        events.append(("response.completed", "{\"type\":\"response.completed\",\"sequence_number\":\(pieces.count + 2),\"response\":\(response("completed", output: item, usage: usage))}"))
        return .stream(events: events.map { "event: \($0.0)\ndata: \($0.1)" })
    }

    /// Answers like Anthropic's `POST /v1/messages` (checking the `x-api-key` and
    /// `anthropic-version` headers): the text repeats the last user message. Streams
    /// send the documented event sequence, written by hand.
    @Sendable
    public static func anthropicReply(_ request: MockRequest) -> MockReply {
        guard request.path.hasSuffix("/messages"), let json = request.json else {
            return .status(404, body: "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no such path\"}}")
        }
        guard request.header("x-api-key") != nil, request.header("anthropic-version") != nil else {
            return .status(401, body: "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"x-api-key and anthropic-version are required\"}}")
        }
        let messages = json["messages"] as? [[String: Any]] ?? []
        let text = messages.last.map { lastInputText($0["content"]) ?? "" } ?? "Hello."
        let model = json["model"] as? String ?? "mock-claude"
        let words = max(1, text.split(separator: " ").count)
        guard json["stream"] as? Bool == true else {
            return .json(body: "{\"id\":\"msg_mockteacher\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\(MockJSON.string(model)),\"content\":[{\"type\":\"text\",\"text\":\(MockJSON.string(text))}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":\(words + 5),\"output_tokens\":\(words)}}")
        }
        var events: [(String, String)] = [
            ("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_mockteacher\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\(MockJSON.string(model)),\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":\(words + 5),\"output_tokens\":1}}}"),
            ("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
            ("ping", "{\"type\":\"ping\"}"),
        ]
        for piece in split(text, into: 3) {
            events.append(("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\(MockJSON.string(piece))}}"))
        }
        events += [
            ("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
            ("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":\(words)}}"),
            ("message_stop", "{\"type\":\"message_stop\"}"),
        ]
        return .stream(events: events.map { "event: \($0.0)\ndata: \($0.1)" })
    }

    /// The text of the last user input: a string, the last user item of a list, or its text parts.
    static func lastInputText(_ input: Any?) -> String? {
        if let text = input as? String { return text }
        if let items = input as? [[String: Any]] {
            if let user = items.last(where: { $0["role"] as? String == "user" }) { return lastInputText(user["content"]) }
            let texts = items.compactMap { $0["text"] as? String }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        }
        return nil
    }
}
