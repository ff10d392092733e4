import ChatAPI
import TestSupport
import Testing

/// A chat stream encoded as Responses or Messages events, cut at random byte
/// boundaries, parsed, and decoded back to chat, gives the same answer; and the
/// encoders put out the event order each API documents.
@Suite struct SurfaceStreamTests {
    /// A streamed answer: role, three text pieces, a tool call in two pieces, finish, usage, done.
    static let chatItems: [ChatStreamItem] = {
        func delta(_ change: (inout ChatStreamDelta) -> Void) -> ChatStreamItem {
            var delta = ChatStreamDelta(id: "chatcmpl-1", model: "teacher", created: 1)
            change(&delta)
            return .delta(delta)
        }
        return [
            delta { $0.role = "assistant" }, delta { $0.content = "It is " }, delta { $0.content = "18C " }, delta { $0.content = "now." },
            delta { $0.toolCalls = [.init(index: 0, id: "call_1", name: "weather", arguments: "")] },
            delta { $0.toolCalls = [.init(index: 0, arguments: #"{"city":"#)] }, delta { $0.toolCalls = [.init(index: 0, arguments: #""Paris"}"#)] },
            delta { $0.finishReason = "tool_calls" }, delta { $0.usage = .init(input: 12, output: 7) }, .done,
        ]
    }()

    static func expectedParts() -> CompletionParts {
        var parts = CompletionParts()
        for case .delta(let delta) in chatItems { parts.apply(delta) }
        return parts
    }

    /// `bytes` fed to a parser in random pieces, each event decoded.
    static func decode(_ bytes: [UInt8], with decoder: some SurfaceStreamDecoder, seed: UInt64) -> (items: [ChatStreamItem], names: [String]) {
        var decoder = decoder
        var parser = SSEParser()
        var generator = SplitMix64(seed: seed)
        var items: [ChatStreamItem] = []
        var names: [String] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int(generator.next() % 17) + 1)
            for event in parser.feed(bytes[start..<end]) {
                names.append(event.event ?? "")
                items += decoder.decode(event)
            }
            start = end
        }
        return (items, names)
    }

    static func parts(_ items: [ChatStreamItem]) -> CompletionParts {
        var parts = CompletionParts()
        for case .delta(let delta) in items { parts.apply(delta) }
        return parts
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func responsesStreamRoundTrips(seed: UInt64) throws {
        var encoder = ResponsesStreamEncoder(id: "resp_1", createdAt: 1, request: .object([("model", .string("default"))]))
        let bytes = Self.chatItems.flatMap { encoder.encode($0) }
        let (items, names) = Self.decode(bytes, with: ResponsesStreamDecoder(), seed: seed)
        #expect(names == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                          "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                          "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                          "response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.function_call_arguments.done", "response.output_item.done", "response.completed"])
        #expect(items.last == .done)
        var decoded = Self.parts(items)
        decoded.id = Self.expectedParts().id
        decoded.created = 1
        #expect(decoded.text == "It is 18C now.")
        #expect(decoded.toolCalls == Self.expectedParts().toolCalls)
        #expect(decoded.usage == Self.expectedParts().usage && decoded.finishReason == "tool_calls")
        #expect(encoder.parts == Self.expectedParts())
    }

    @Test(arguments: [4, 5, 6] as [UInt64])
    func messagesStreamRoundTrips(seed: UInt64) throws {
        var encoder = MessagesStreamEncoder(id: "msg_1", model: "default")
        let bytes = Self.chatItems.flatMap { encoder.encode($0) }
        let (items, names) = Self.decode(bytes, with: MessagesStreamDecoder(), seed: seed)
        #expect(names == ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
                          "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
                          "content_block_stop", "message_delta", "message_stop"])
        #expect(items.last == .done)
        let decoded = Self.parts(items)
        #expect(decoded.text == "It is 18C now.")
        #expect(decoded.toolCalls == Self.expectedParts().toolCalls)
        #expect(decoded.usage == Self.expectedParts().usage && decoded.finishReason == "tool_calls")
    }

    @Test func anInStreamErrorEndsEachSurfaceWithItsErrorEvent() throws {
        let error = ChatStreamItem.error(.object([("message", .string("teacher went away")), ("code", .string("upstream_unavailable"))]))
        var responses = ResponsesStreamEncoder(id: "resp_1", createdAt: 1, request: .object([]))
        let responsesBytes = String(decoding: responses.encode(Self.chatItems[1]) + responses.encode(error) + responses.encode(.done), as: UTF8.self)
        #expect(responsesBytes.contains("event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_unavailable\",\"message\":\"teacher went away\""))
        #expect(!responsesBytes.contains("response.completed"))
        var messages = MessagesStreamEncoder(id: "msg_1", model: "m")
        let messagesBytes = String(decoding: messages.encode(Self.chatItems[1]) + messages.encode(error) + messages.encode(.done), as: UTF8.self)
        #expect(messagesBytes.contains(#"event: error"# + "\n" + #"data: {"type":"error","error":{"type":"api_error","message":"teacher went away"}}"#))
        #expect(!messagesBytes.contains("message_stop"))
    }

    @Test func chatItemsReadFromAndWriteToTheChatWireForm() throws {
        for item in Self.chatItems {
            var parser = SSEParser()
            let events = parser.feed(item.sseBytes)
            #expect(events.count == 1)
            #expect(events.first.flatMap(ChatStreamItem.init(event:)) == item)
        }
        var accumulator = StreamAccumulator()
        for item in Self.chatItems { accumulator.consume(item) }
        #expect(CompletionParts(completion: accumulator.completion()) == Self.expectedParts())
    }
}
