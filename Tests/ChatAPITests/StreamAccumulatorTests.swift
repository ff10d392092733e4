import ChatAPI
import Testing

@Suite struct StreamAccumulatorTests {
    static let chunks = [
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}"#,
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}"#,
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get","arguments":"{\"ci"}}]}}]}"#,
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":1}"}}]}}]}"#,
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}"#,
        "[DONE]",
    ]

    @Test func reassemblesContentToolCallsAndUsage() throws {
        var accumulator = StreamAccumulator()
        for chunk in Self.chunks { accumulator.consume(SSEEvent(data: chunk)) }
        let completion = accumulator.completion()
        #expect(accumulator.sawDone)
        #expect(accumulator.completionID == "chatcmpl-1")
        #expect(accumulator.finishReason == "tool_calls")
        #expect(completion["object"]?.stringValue == "chat.completion")
        let message = try #require(completion["choices"]?.arrayValue?.first?["message"])
        #expect(message["content"]?.stringValue == "Hello")
        let call = try #require(message["tool_calls"]?.arrayValue?.first)
        #expect(call["id"]?.stringValue == "call_1")
        #expect(call["function"]?["name"]?.stringValue == "get")
        #expect(call["function"]?["arguments"]?.stringValue == #"{"city":1}"#)
        #expect(completion["usage"]?["total_tokens"]?.intValue == 8)
    }

    @Test("a whole completion replayed as stream events reads back to the same completion")
    func wholeCompletionReplaysAsAStream() throws {
        let whole = try JSONValue.parse(Array(#"{"id":"chatcmpl-2","object":"chat.completion","created":9,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","tool_calls":[{"id":"call_7","type":"function","function":{"name":"get","arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}"#.utf8))
        let items = CompletionParts(completion: whole).streamItems(includeUsage: true)
        var accumulator = StreamAccumulator()
        var parser = SSEParser()
        for event in parser.feed(items.flatMap(\.sseBytes)) { accumulator.consume(event) }
        #expect(accumulator.sawDone && accumulator.completionID == "chatcmpl-2")
        let replayed = accumulator.completion()
        let choice = try #require(replayed["choices"]?.arrayValue?.first)
        let call = try #require(choice["message"]?["tool_calls"]?.arrayValue?.first)
        #expect(choice["message"]?["content"]?.stringValue == "Hi" && choice["finish_reason"]?.stringValue == "tool_calls")
        #expect(call["id"]?.stringValue == "call_7" && call["function"]?["name"]?.stringValue == "get")
        #expect(call["function"]?["arguments"]?.stringValue == #"{"a":1}"#)
        #expect(replayed["usage"] == whole["usage"])
        // Without usage asked for, no usage-only event; an empty answer still carries content "".
        let bare = CompletionParts(completion: try JSONValue.parse(Array(#"{"choices":[{"message":{"content":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":0}}"#.utf8)))
        let bareItems = bare.streamItems(includeUsage: false)
        #expect(bareItems.count == 3 && bareItems.last == .done)
        #expect(String(decoding: bareItems[0].sseBytes, as: UTF8.self).contains(#""delta":{"role":"assistant","content":""}"#))
    }

    @Test func separatesChoicesByIndex() {
        var accumulator = StreamAccumulator()
        accumulator.consume(SSEEvent(data: #"{"id":"x","choices":[{"index":1,"delta":{"content":"B"}},{"index":0,"delta":{"content":"A"}}]}"#))
        accumulator.consume(SSEEvent(data: #"{"id":"x","choices":[{"index":1,"delta":{"content":"b"},"finish_reason":"stop"}]}"#))
        let choices = accumulator.completion()["choices"]?.arrayValue ?? []
        #expect(choices.map { $0["message"]?["content"]?.stringValue } == ["A", "Bb"])
    }
}
