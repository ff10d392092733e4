import Foundation

extension MockTeacher {
    /// Like ``defaultReply(_:)`` (the assistant repeats the last user message), and when the
    /// request asks for `logprobs`, every character of the answer is a token with its
    /// log-probability (−0.1) and up to `top_logprobs` alternatives: itself, then `#` at
    /// −2.5 and `~` at −3.0. Streams carry each character's entry in its own chunk.
    @Sendable
    public static func logprobsReply(_ request: MockRequest) -> MockReply {
        guard let json = request.json, json["logprobs"] as? Bool == true,
              let text = (json["messages"] as? [[String: Any]])?.last(where: { $0["role"] as? String == "user" })?["content"] as? String
        else { return defaultReply(request) }
        let k = json["top_logprobs"] as? Int ?? 0
        func entry(_ character: Character) -> String {
            let top = [(String(character), -0.1), ("#", -2.5), ("~", -3.0)].prefix(k)
                .map { #"{"token":\#(MockJSON.string($0.0)),"logprob":\#($0.1),"bytes":[\#(Array($0.0.utf8).map(String.init).joined(separator: ","))]}"# }
            return #"{"token":\#(MockJSON.string(String(character))),"logprob":-0.1,"bytes":[\#(Array(String(character).utf8).map(String.init).joined(separator: ","))],"top_logprobs":[\#(top.joined(separator: ","))]}"#
        }
        let head = #"{"id":"chatcmpl-lp","created":1700000000,"model":"mock-teacher","#
        guard json["stream"] as? Bool == true else {
            let content = text.map(entry).joined(separator: ",")
            return .json(body: head + #""object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":\#(MockJSON.string(text))},"logprobs":{"content":[\#(content)],"refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":\#(text.count),"total_tokens":\#(3 + text.count)}}"#)
        }
        var events = text.map { character in
            head + #""object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\#(MockJSON.string(String(character)))},"logprobs":{"content":[\#(entry(character))]},"finish_reason":null}]}"#
        }
        events.append(head + #""object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}"#)
        events.append("[DONE]")
        return .stream(events: events)
    }
}
