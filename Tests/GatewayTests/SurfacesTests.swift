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

/// `/v1/responses` and `/v1/messages` against a chat-completions teacher (translated)
/// and against a teacher of the same API (forwarded byte for byte), each exchange in
/// the corpus in chat form with its surface, raw bodies and usage.
@Suite struct SurfacesTests {
    static let json: HTTPFields = [.contentType: "application/json"]

    /// POSTs `body` to `path`; status, headers and body bytes.
    static func post(_ client: any TestClientProtocol, _ path: String, _ body: String,
                     headers: HTTPFields = json) async throws -> (status: Int, exchangeID: String?, body: [UInt8]) {
        try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (Int(response.status.code), response.headers[HTTPField.Name("x-retort-exchange-id")!], Array(response.body.readableBytesView))
        }
    }

    /// The SSE events of a body: (event name, data JSON).
    static func events(_ bytes: [UInt8]) -> [(name: String, data: JSONValue?)] {
        var parser = SSEParser()
        return parser.feed(bytes).map { ($0.event ?? "", try? JSONValue.parse($0.data)) }
    }

    @Test("a Responses stream answered whole by a chat teacher still arrives as Responses events")
    func responsesStreamFromAWholeAnswer() async throws {
        let harness = try GatewayHarness { _ in .json(body: MockTeacher.completionJSON(content: "came whole")) }
        let streamed = #"{"model":"default","input":"stream it","stream":true}"#
        let stream = try await harness.run { client, _ in try await Self.post(client, "/v1/responses", streamed) }
        let events = Self.events(stream.body)
        #expect(stream.status == 200 && events.first?.name == "response.created" && events.last?.name == "response.completed")
        #expect(events.filter { $0.name == "response.output_text.delta" }.compactMap { $0.data?["delta"]?.stringValue } == ["came whole"])
        let completed = try #require(events.last?.data?["response"])
        #expect(completed["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue == "came whole")
        #expect(completed["usage"]?["output_tokens"]?.intValue != nil)
    }

    @Test func responsesAgainstAChatTeacher() async throws {
        let harness = try GatewayHarness()
        let plain = #"{"model":"default","instructions":"Be brief.","input":"hello responses","max_output_tokens":20}"#
        let streamed = #"{"model":"default","input":[{"role":"user","content":[{"type":"input_text","text":"stream me please"}]}],"stream":true}"#
        let (whole, stream) = try await harness.run { client, _ in
            (try await Self.post(client, "/v1/responses", plain), try await Self.post(client, "/v1/responses", streamed))
        }
        #expect(whole.status == 200)
        let response = try JSONValue.parse(whole.body)
        #expect(response["object"]?.stringValue == "response" && response["status"]?.stringValue == "completed")
        #expect(response["id"]?.stringValue == "resp_" + (whole.exchangeID ?? "").replacingOccurrences(of: "-", with: ""))
        #expect(response["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue == "hello responses")
        #expect(response["usage"]?["input_tokens"]?.intValue != nil && response["instructions"]?.stringValue == "Be brief.")
        let upstream = try JSONValue.parse(harness.mock.requests[0].body)
        #expect(harness.mock.requests[0].path.hasSuffix("/chat/completions"))
        #expect(upstream["messages"]?.arrayValue?.map { $0["role"]?.stringValue } == ["system", "user"])
        #expect(upstream["max_completion_tokens"]?.intValue == 20 && upstream["model"]?.stringValue == "mock-teacher")

        let names = Self.events(stream.body).map(\.name)
        #expect(names.first == "response.created" && names.last == "response.completed")
        #expect(names.filter { $0 == "response.output_text.delta" }.count == 3)
        let completed = try #require(Self.events(stream.body).last?.data?["response"])
        #expect(completed["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue == "stream me please")
        #expect(completed["usage"]?["output_tokens"]?.intValue == 3)

        let rows = try harness.rows()
        #expect(rows.count == 2 && rows.allSatisfy { $0.surface == "responses" && $0.status == 200 && $0.totalTokens != nil })
        let first = try #require(rows.first { !$0.stream })
        #expect(first.rawRequestJSON == plain)
        #expect((try JSONValue.parse(first.requestJSON))["messages"]?.arrayValue?.count == 2)
        #expect((try JSONValue.parse(first.responseJSON ?? ""))["object"]?.stringValue == "chat.completion")
        #expect(first.rawResponseJSON.flatMap { try? JSONValue.parse($0) }?["id"] == response["id"])
        let second = try #require(rows.first { $0.stream })
        #expect(second.responseJSON?.contains("stream me please") == true)
        #expect(second.rawResponseJSON.flatMap { try? JSONValue.parse($0) }?["object"]?.stringValue == "response")
    }

    @Test func aFollowUpCarriesThePreviousResponse() async throws {
        let harness = try GatewayHarness()
        try await harness.run { client, _ in
            let first = try await Self.post(client, "/v1/responses", #"{"model":"default","input":"my name is Ada"}"#)
            let id = try #require(try JSONValue.parse(first.body)["id"]?.stringValue)
            let second = try await Self.post(client, "/v1/responses", #"{"model":"default","input":"what is my name?","previous_response_id":"\#(id)"}"#)
            #expect(second.status == 200)
            let unknown = try await Self.post(client, "/v1/responses", #"{"model":"default","input":"x","previous_response_id":"resp_nope"}"#)
            #expect(unknown.status == 400)
            #expect(try JSONValue.parse(unknown.body)["error"]?["code"]?.stringValue == "previous_response_not_found")
        }
        let upstream = try JSONValue.parse(try #require(harness.mock.requests.last).body)
        #expect(upstream["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["my name is Ada", "my name is Ada", "what is my name?"])
    }

    @Test func messagesAgainstAChatTeacher() async throws {
        let harness = try GatewayHarness(configure: { $0.clientKeys = ["sk-client"] })
        let keyed: HTTPFields = [.contentType: "application/json", HTTPField.Name("x-api-key")!: "sk-client",
                                 HTTPField.Name("anthropic-version")!: "2023-06-01"]
        let plain = #"{"model":"default","max_tokens":30,"system":"Be brief.","messages":[{"role":"user","content":"hello messages"}]}"#
        let streamed = #"{"model":"default","max_tokens":30,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"stream it"}]}]}"#
        let (whole, stream, errors) = try await harness.run { client, _ in
            let whole = try await Self.post(client, "/v1/messages", plain, headers: keyed)
            let stream = try await Self.post(client, "/v1/messages", streamed, headers: keyed)
            let errors = [
                try await Self.post(client, "/v1/messages", plain, headers: Self.json),
                try await Self.post(client, "/v1/messages", #"{"model":"default","messages":[{"role":"user","content":"x"}]}"#, headers: keyed),
                try await Self.post(client, "/v1/messages", #"{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#, headers: keyed),
            ]
            return (whole, stream, errors)
        }
        #expect(whole.status == 200)
        let message = try JSONValue.parse(whole.body)
        #expect(message["type"]?.stringValue == "message" && message["stop_reason"]?.stringValue == "end_turn")
        #expect(message["content"]?.arrayValue?.first?["text"]?.stringValue == "hello messages")
        #expect(message["usage"]?["output_tokens"]?.intValue == 2)

        let events = Self.events(stream.body)
        // The mock teacher streams the text in three pieces.
        #expect(events.map(\.name) == ["message_start", "content_block_start", "content_block_delta", "content_block_delta",
                                       "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
        #expect(events.compactMap { $0.data?["delta"]?["text"]?.stringValue }.joined() == "stream it")
        #expect(events.first { $0.name == "message_delta" }?.data?["usage"]?["output_tokens"]?.intValue == 2)

        #expect(errors.map(\.status) == [401, 400, 404])
        for error in errors {
            let body = try JSONValue.parse(error.body)
            #expect(body["type"]?.stringValue == "error" && body["error"]?["message"]?.stringValue != nil)
        }
        #expect(try JSONValue.parse(errors[0].body)["error"]?["type"]?.stringValue == "authentication_error")
        #expect(try JSONValue.parse(errors[2].body)["error"]?["type"]?.stringValue == "not_found_error")

        let rows = try harness.rows().filter { $0.status == 200 }
        #expect(rows.count == 2 && rows.allSatisfy { $0.surface == "messages" && $0.promptTokens != nil && $0.completionTokens != nil })
        var filter = ExchangeFilter(status: 200)
        filter.surface = "messages"
        #expect(try harness.services.reader.list(filter).items.map(\.surface) == ["messages", "messages"])
        filter.surface = "responses"
        #expect(try harness.services.reader.list(filter).items.isEmpty)
        #expect(rows.first { $0.stream }?.rawResponseJSON.flatMap { try? JSONValue.parse($0) }?["type"]?.stringValue == "message")
    }

    @Test(arguments: [false, true])
    func aResponsesTeacherGetsTheRequestAsSent(stream: Bool) async throws {
        let harness = try GatewayHarness(handler: MockTeacher.responsesReply, configure: { $0.teacher.api = .responses })
        let body = #"{"model":"default","input":"forward me exactly","store":true,"reasoning":{"effort":"low"}\#(stream ? #","stream":true"# : "")}"#
        let answer = try await harness.run { client, _ in try await Self.post(client, "/v1/responses", body) }
        let sent = try #require(harness.mock.requests.first)
        #expect(sent.path.hasSuffix("/v1/responses"))
        let upstream = try JSONValue.parse(sent.body)
        #expect(upstream["model"]?.stringValue == "mock-teacher" && upstream["reasoning"]?["effort"]?.stringValue == "low")
        #expect(sent.header("authorization") == "Bearer sk-teacher-secret")
        let reference = MockTeacher.responsesReply(MockRequest(method: "POST", path: "/v1/responses", headers: [], body: sent.body, connectionID: 0))
        #expect(answer.body == Self.replyBytes(reference))
        let row = try harness.onlyRow()
        #expect(row.surface == "responses" && row.status == 200 && row.promptTokens == 6 && row.completionTokens == 3)
        #expect(CompletionParts(completion: try JSONValue.parse(row.responseJSON ?? "")).text == "forward me exactly")
        #expect(row.completionID == "resp_mockteacher")
    }

    @Test(arguments: [false, true])
    func anAnthropicTeacherServesMessagesAsIsAndChatTranslated(stream: Bool) async throws {
        let harness = try GatewayHarness(handler: MockTeacher.anthropicReply, configure: { $0.teacher.api = .messages })
        let native = #"{"model":"default","max_tokens":40,"messages":[{"role":"user","content":"claude please"}]\#(stream ? #","stream":true"# : "")}"#
        let chat = chatBody(stream: stream, text: "chat client here")
        let (messages, completion) = try await harness.run { client, _ in
            (try await Self.post(client, "/v1/messages", native), try await Self.post(client, "/v1/chat/completions", chat))
        }
        let sent = harness.mock.requests
        #expect(sent.count == 2 && sent.allSatisfy { $0.path.hasSuffix("/v1/messages") })
        #expect(sent.allSatisfy { $0.header("x-api-key") == "sk-teacher-secret" && $0.header("authorization") == nil })
        #expect(sent.allSatisfy { $0.header("anthropic-version") == "2023-06-01" })
        let reference = MockTeacher.anthropicReply(MockRequest(method: "POST", path: "/v1/messages", headers: [("x-api-key", "k"), ("anthropic-version", "v")],
                                                               body: sent[0].body, connectionID: 0))
        #expect(messages.body == Self.replyBytes(reference))
        let translated = try JSONValue.parse(sent[1].body)
        #expect(translated["max_tokens"]?.intValue == MessagesRequest.defaultMaxTokens)
        #expect(translated["messages"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue == "chat client here")
        if stream {
            var accumulator = StreamAccumulator()
            var parser = SSEParser()
            for event in parser.feed(completion.body) { accumulator.consume(event) }
            #expect(accumulator.sawDone && accumulator.usage?["completion_tokens"]?.intValue == 3)
            #expect(CompletionParts(completion: accumulator.completion()).text == "chat client here")
        } else {
            let json = try JSONValue.parse(completion.body)
            #expect(json["object"]?.stringValue == "chat.completion" && json["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop")
            #expect(CompletionParts(completion: json).text == "chat client here")
        }
        let rows = try harness.rows()
        #expect(rows.map(\.surface).sorted() == ["chat", "messages"])
        #expect(rows.allSatisfy { $0.status == 200 && $0.promptTokens != nil })
        // Usage as the Anthropic teacher counted it: one token per word of the echoed text.
        #expect(rows.first { $0.surface == "messages" }?.completionTokens == 2 && rows.first { $0.surface == "chat" }?.completionTokens == 3)
    }

    @Test func aForwardedStreamThatBreaksEndsWithAnErrorInItsSurface() async throws {
        let start = #"event: message_start"# + "\n" + #"data: {"type":"message_start","message":{"id":"msg_x","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}"#
        let delta = #"event: content_block_delta"# + "\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"partial"}}"#
        let harness = try GatewayHarness(handler: { _ in .resetAfter(events: [start, delta]) }, configure: {
            $0.teacher.api = .messages
            $0.teacher.maxAttempts = 1
        })
        let answer = try await harness.run { client, _ in
            try await Self.post(client, "/v1/messages", #"{"model":"default","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"x"}]}"#)
        }
        let events = Self.events(answer.body)
        #expect(events.map(\.name) == ["message_start", "content_block_delta", "error"])
        #expect(events.last?.data?["type"]?.stringValue == "error" && events.last?.data?["error"]?["type"]?.stringValue == "api_error")
        let row = try harness.onlyRow()
        #expect(row.status == 502 && row.surface == "messages" && row.responseJSON?.contains("partial") == true)
    }

    @Test func embeddingsAndOtherPathsAreProxiedNotLogged() async throws {
        let harness = try GatewayHarness(handler: { request in
            if request.path.hasSuffix("/embeddings") {
                return .json(body: #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"e","usage":{"prompt_tokens":4,"total_tokens":4}}"#)
            }
            return .status(404, body: MockTeacher.errorJSON(message: "unknown path \(request.path)", type: "invalid_request_error"))
        })
        let (embedding, other) = try await harness.run { client, _ in
            (try await Self.post(client, "/v1/embeddings", #"{"model":"e","input":"four words of text"}"#),
             try await Self.post(client, "/v1/moderations?x=1", #"{"input":"x"}"#))
        }
        let embeddingJSON = try JSONValue.parse(embedding.body)
        #expect(embedding.status == 200 && embeddingJSON["data"]?.arrayValue?.count == 1)
        #expect(other.status == 404)
        #expect(harness.mock.requests.map(\.path) == ["/v1/embeddings", "/v1/moderations?x=1"])
        #expect(try harness.rows().isEmpty)
        #expect(harness.services.metrics.counter("retort_embedding_tokens_total") == 4)
        #expect(harness.services.metrics.counter("retort_proxied_requests_total", [("path", "/embeddings"), ("status", "200")]) == 1)
    }

    /// The bytes a mock reply puts on the wire as its body.
    static func replyBytes(_ reply: MockReply) -> [UInt8] {
        switch reply {
        case .json(_, let body, _): return Array(body.utf8)
        case .stream(let events, _, _, _): return MockTeacher.sseBytes(events)
        default: return []
        }
    }
}
