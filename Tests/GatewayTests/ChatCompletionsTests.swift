import ChatAPI
import Corpus
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Teacher
import TestSupport
import Testing

@Suite struct ChatCompletionsTests {
    @Test func nonStreamingPassesThroughAndLogs() async throws {
        let harness = try GatewayHarness()
        let extra = #","tools":[{"type":"function","function":{"name":"lookup","parameters":{}}}],"response_format":{"type":"text"},"n":1,"logprobs":false,"future_param":{"x":[1,2.50]},"user":"u-42","metadata":{"team":"a"}"#
        let exchangeID = try await harness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post,
                                     headers: [.contentType: "application/json", HTTPField.Name("x-retort-tags")!: "alpha, beta",
                                               HTTPField.Name("x-retort-task")!: " extract "],
                                     body: ByteBuffer(string: chatBody(extra: extra))) { response in
                #expect(response.status == .ok)
                let json = try JSONValue.parse(Array(response.body.readableBytesView))
                #expect(json["object"]?.stringValue == "chat.completion")
                return try #require(response.headers[HTTPField.Name("x-retort-exchange-id")!])
            }
        }
        let sent = try #require(harness.mock.requests.last)
        let upstream = try JSONValue.parse(sent.body)
        #expect(upstream["model"]?.stringValue == "mock-teacher")
        #expect(upstream["future_param"] == (try JSONValue.parse(#"{"x":[1,2.50]}"#)))
        #expect(sent.bodyString.contains(#""future_param":{"x":[1,2.50]}"#))
        #expect(upstream["tools"]?.arrayValue?.count == 1 && upstream["response_format"] != nil && upstream["n"] != nil)
        #expect(sent.header("authorization") == "Bearer sk-teacher-secret")

        let row = try harness.onlyRow()
        #expect(row.id == exchangeID)
        #expect(row.status == 200 && row.route == "default" && row.upstreamModel == "mock-teacher")
        #expect(row.servedBy == "teacher" && row.stream == false && row.attempts == 1)
        #expect(row.tags == ["alpha", "beta", "task:extract"] && row.user == "u-42" && row.metadata == #"{"team":"a"}"#)
        #expect(row.finishReason == "tool_calls" && row.completionID?.hasPrefix("chatcmpl-mock") == true)
        #expect(row.promptTokens != nil && row.totalTokens != nil && row.latencyMs != nil)
        #expect(row.requestJSON == chatBody(extra: extra))
        #expect(row.responseJSON?.contains("lookup") == true)
        #expect(try harness.services.reader.exchange(completionID: row.completionID ?? "")?.id == exchangeID)
    }

    @Test(arguments: [MockSplitMode.whole, .everyNBytes(1), .everyNBytes(7), .randomBoundaries(seed: 3)])
    func streamIsForwardedByteForByteAndReassembled(_ split: MockSplitMode) async throws {
        let events = MockTeacher.streamEvents(content: "The quick brown fox jumps", chunks: 5, includeUsage: true,
                                              usage: MockUsage(promptTokens: 11, completionTokens: 5))
        let harness = try GatewayHarness { _ in .stream(events: events, splitAt: split, delay: .milliseconds(1)) }
        let received = try await harness.run { _, gateway in
            let response = try await gateway.post(chatBody(stream: true))
            #expect(response.status == 200)
            #expect(response.header("content-type")?.hasPrefix("text/event-stream") == true)
            #expect(response.header("x-retort-exchange-id") != nil)
            return try await response.body.collect(upTo: 1 << 20)
        }
        #expect(received == MockTeacher.sseBytes(events))
        let lastRequest = try #require(harness.mock.requests.last)
        let upstream = try JSONValue.parse(lastRequest.body)
        #expect(upstream["stream_options"]?["include_usage"] == .bool(true))
        let row = try harness.onlyRow()
        #expect(row.status == 200 && row.stream && row.finishReason == "stop")
        #expect(row.promptTokens == 11 && row.completionTokens == 5 && row.ttftMs != nil)
        let responseJSON = try #require(row.responseJSON)
        let completion = try JSONValue.parse(responseJSON)
        #expect(completion["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "The quick brown fox jumps")
    }

    @Test func streamedToolCallsAreReassembled() async throws {
        let call = MockToolCall(id: "call_9", name: "get_weather", arguments: #"{"city":"Paris","unit":"c"}"#)
        let events = MockTeacher.streamEvents(toolCall: call, includeUsage: true)
        let harness = try GatewayHarness { _ in .stream(events: events, splitAt: .randomBoundaries(seed: 9)) }
        _ = try await harness.run { _, gateway in try await gateway.post(chatBody(stream: true)).body.collect(upTo: 1 << 20) }
        let row = try harness.onlyRow()
        let responseJSON = try #require(row.responseJSON)
        let message = try #require(try JSONValue.parse(responseJSON)["choices"]?.arrayValue?.first?["message"])
        let logged = try #require(message["tool_calls"]?.arrayValue?.first)
        #expect(logged["id"]?.stringValue == "call_9" && logged["function"]?["name"]?.stringValue == "get_weather")
        #expect(logged["function"]?["arguments"]?.stringValue == call.arguments)
        #expect(row.finishReason == "tool_calls")
    }

    @Test func clientUsageRequestIsNotDuplicated() async throws {
        let harness = try GatewayHarness { request in
            .json(body: MockTeacher.completionJSON(content: "ok"))
        } configure: { $0.teacher.injectStreamUsage = false }
        _ = try await harness.run { _, gateway in try await gateway.post(chatBody(stream: true)).body.collect(upTo: 1 << 20) }
        let lastRequest = try #require(harness.mock.requests.last)
        let upstream = try JSONValue.parse(lastRequest.body)
        #expect(upstream["stream_options"] == nil)
    }

    @Test("a stream request answered whole by the teacher reaches the client as a stream, and is logged whole")
    func wholeAnswerToAStreamRequestIsStreamed() async throws {
        let call = MockToolCall(id: "call_4", name: "lookup", arguments: #"{"q":"x"}"#)
        let harness = try GatewayHarness { _ in
            .json(body: MockTeacher.completionJSON(content: "Paris, mostly.", toolCall: call,
                                                   usage: MockUsage(promptTokens: 9, completionTokens: 4)))
        }
        let (plain, withUsage) = try await harness.run { _, gateway in
            let plain = try await gateway.post(chatBody(stream: true))
            #expect(plain.status == 200 && plain.header("content-type") == "text/event-stream")
            let withUsage = try await gateway.post(chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#))
            return (try await plain.body.collect(upTo: 1 << 20), try await withUsage.body.collect(upTo: 1 << 20))
        }
        var parser = SSEParser()
        let events = parser.feed(plain)
        #expect(events.map(\.data).last == "[DONE]" && events.count == 3)
        // The first event is the whole message, on the chat wire exactly.
        #expect(events.first?.data == #"{"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":"mock-teacher","choices":[{"index":0,"delta":{"role":"assistant","content":"Paris, mostly.","tool_calls":[{"index":0,"id":"call_4","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"x\"}"}}]},"finish_reason":null}]}"#)
        var reassembled = CompletionParts()
        for event in events {
            if case .delta(let delta) = ChatStreamItem(event: event) { reassembled.apply(delta) }
        }
        #expect(reassembled.text == "Paris, mostly." && reassembled.toolCalls.first?.name == "lookup")
        #expect(reassembled.usage == nil && reassembled.finishReason == "tool_calls")
        var second = SSEParser()
        let usage = second.feed(withUsage).dropLast().last.flatMap { try? JSONValue.parse($0.data) }
        #expect(usage?["choices"]?.arrayValue?.isEmpty == true && usage?["usage"]?["completion_tokens"]?.intValue == 4)
        let rows = try harness.rows()
        #expect(rows.count == 2 && rows.allSatisfy { $0.status == 200 && $0.stream && $0.completionTokens == 4 })
        #expect(rows.allSatisfy { $0.responseJSON?.contains(#""object":"chat.completion""#) == true })
    }

    @Test("the request and its prompt hash are logged however the exchange ends: answered, teacher unreachable, refused at the transfer cap, or on another surface")
    func everyRecordCarriesItsRequest() async throws {
        let body = chatBody(text: "hash me")
        let messages = try #require(try JSONValue.parse(Array(body.utf8))["messages"])
        let expectedHash = SHA256.hex(messages.serialized())
        let answered = try GatewayHarness()
        _ = try await answered.run { _, gateway in try await gateway.post(body).body.collect(upTo: 1 << 20) }
        let unreachable = try GatewayHarness(teacherURL: "http://127.0.0.1:9/v1")
        _ = try await unreachable.run { _, gateway in try await gateway.post(body).body.collect(upTo: 1 << 20) }
        // No room for a transfer: refused before anything is sent to the teacher.
        let refused = try GatewayHarness(configure: { $0.teacher.maxConcurrentTransfers = 0 })
        _ = try await refused.run { _, gateway in try await gateway.post(body).body.collect(upTo: 1 << 20) }
        for row in [try answered.onlyRow(), try unreachable.onlyRow(), try refused.onlyRow()] {
            #expect(row.promptHash == expectedHash && row.requestJSON == body && row.rawRequestJSON == nil)
        }
        #expect(try unreachable.onlyRow().status == 502 && refused.onlyRow().status == 503)

        let raw = #"{"model":"default","input":"hash me"}"#
        let responses = try GatewayHarness()
        _ = try await responses.run { client, _ in
            try await client.execute(uri: "/v1/responses", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: raw)) { _ in }
        }
        let row = try responses.onlyRow()
        #expect(row.rawRequestJSON == raw && row.promptHash == expectedHash && row.requestJSON.contains("hash me"))
    }

    @Test func modelsAndHealth() async throws {
        let harness = try GatewayHarness()
        try await harness.run { client, _ in
            try await client.execute(uri: "/v1/models", method: .get) { response in
                let json = try JSONValue.parse(Array(response.body.readableBytesView))
                #expect(json["object"]?.stringValue == "list")
                #expect(json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["default", "mock-teacher"])
            }
            try await client.execute(uri: "/v1/models/default", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/models/nope", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let log = try JSONValue.parse(Array(response.body.readableBytesView))["log"]
                #expect(log?["journal_bytes"]?.intValue == 0 && log?["recovered"]?.intValue == 0)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.body.text.contains("retort_log_dropped_total 0"))
                #expect(response.body.text.contains("retort_log_journal_bytes 0"))
                #expect(response.body.text.contains("retort_log_recovered 0"))
            }
        }
    }

    @Test("the teacher's content type, retry, request-id, rate-limit and OpenAI headers reach the client whatever their case; others stay behind")
    func teacherHeadersAreForwardedSelectively() async throws {
        let headers = [("Content-Type", "application/json; charset=utf-8"), ("X-Request-ID", "req-7"), ("x-RateLimit-Remaining-Requests", "99"),
                       ("OpenAI-Processing-Ms", "12"), ("Retry-After", "3"), ("X-Secret-Upstream", "no"), ("Set-Cookie", "a=b")]
        let harness = try GatewayHarness { _ in .json(body: MockTeacher.completionJSON(content: "hi"), headers: headers) }
        let response = try await harness.run { _, gateway in try await gateway.post(chatBody()) }
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json; charset=utf-8")
        #expect(response.header("x-request-id") == "req-7")
        #expect(response.header("x-ratelimit-remaining-requests") == "99")
        #expect(response.header("openai-processing-ms") == "12")
        #expect(response.header("retry-after") == "3")
        #expect(response.header("x-secret-upstream") == nil && response.header("set-cookie") == nil)
        #expect(response.header("cache-control") == nil)
    }
}
