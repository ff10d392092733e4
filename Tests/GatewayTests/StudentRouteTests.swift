import ChatAPI
import Corpus
import Foundation
import Distill
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Teacher
import TestSupport
import Testing

/// The student route and the built-in model standing in for a missing teacher,
/// served by the tiny random-weight model.
@Suite struct StudentRouteTests {
    static func harness(teacher: Bool = true, maxQueue: Int = 16) throws -> GatewayHarness {
        let model = try TinyModel.write()
        return try GatewayHarness(configure: { configuration in
            configuration.routes.append(RouteConfiguration(name: "student", backend: .student))
            configuration.student.model = model
            configuration.student.maxQueue = maxQueue
            if !teacher { configuration.teacher.url = nil }
        })
    }

    func json(_ response: TestResponse) throws -> JSONValue { try JSONValue.parse(Array(response.body.readableBytesView)) }

    @Test func nonStreamingCompletionIsConformantAndLogged() async throws {
        let harness = try Self.harness()
        let body = #"{"model":"student","temperature":0,"max_tokens":6,"logprobs":true,"top_logprobs":2,"messages":[{"role":"user","content":"hi"}]}"#
        let answer = try await harness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                return try json(response)
            }
        }
        #expect(answer["object"]?.stringValue == "chat.completion")
        #expect(answer["model"]?.stringValue == "student")
        let choice = try #require(answer["choices"]?.arrayValue?.first)
        #expect(["stop", "length"].contains(choice["finish_reason"]?.stringValue ?? ""))
        #expect(choice["message"]?["role"]?.stringValue == "assistant")
        let usage = try #require(answer["usage"])
        #expect(usage["completion_tokens"]?.intValue ?? 0 <= 6)
        #expect(usage["total_tokens"]?.intValue == (usage["prompt_tokens"]?.intValue ?? 0) + (usage["completion_tokens"]?.intValue ?? 0))
        let logprobs = try #require(choice["logprobs"]?["content"]?.arrayValue)
        #expect(logprobs.allSatisfy { ($0["logprob"]?.doubleValue ?? 1) <= 0 && $0["top_logprobs"]?.arrayValue?.count == 2 })
        #expect(harness.mock.requests.isEmpty)
        let row = try harness.onlyRow()
        #expect(row.servedBy == "student" && row.status == 200 && row.completionID == answer["id"]?.stringValue)
    }

    @Test func greedyStreamMatchesNonStreamedAnswer() async throws {
        let harness = try Self.harness()
        let plain = #"{"model":"student","temperature":0,"max_tokens":12,"messages":[{"role":"user","content":"the weather"}]}"#
        let streamed = #"{"model":"student","stream":true,"stream_options":{"include_usage":true},"temperature":0,"max_tokens":12,"messages":[{"role":"user","content":"the weather"}]}"#
        let (whole, events) = try await harness.run { client, gateway in
            let whole = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: plain)) { try json($0) }
            let response = try await gateway.post(streamed)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            var parser = SSEParser()
            return (whole, parser.feed(bytes).map(\.data))
        }
        #expect(events.last == "[DONE]")
        var accumulator = StreamAccumulator()
        for event in events { accumulator.consume(SSEEvent(data: event)) }
        let rebuilt = accumulator.completion()
        let expected = whole["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue
        #expect(rebuilt["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == expected)
        #expect(accumulator.usage?["completion_tokens"] == whole["usage"]?["completion_tokens"])
        #expect(accumulator.finishReason == whole["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue)
        #expect(try harness.rows().allSatisfy { $0.status == 200 && $0.servedBy == "student" })
    }

    @Test func builtInModelStandsInForAMissingTeacher() async throws {
        let harness = try Self.harness(teacher: false)
        try await harness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: chatBody(extra: #","max_tokens":3"#))) { #expect($0.status == .ok) }
        }
        let row = try harness.onlyRow()
        #expect(row.servedBy == "teacher" && row.servedReason == "builtin-teacher" && row.teacherURL?.hasPrefix("builtin:") == true)
    }

    @Test func requestsTheStudentCannotTakeAre400() async throws {
        let harness = try Self.harness()
        let long = String(repeating: "hello there ", count: 400)
        let cases: [(String, String?)] = [
            (#"{"model":"student","messages":[{"role":"user","content":"\#(long)"}]}"#, "messages"),
            (#"{"model":"student","temperature":1.5,"top_logprobs":3,"messages":[{"role":"user","content":"x"}]}"#, "top_logprobs"),
            (#"{"model":"student","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"x"}]}"#, nil),
        ]
        try await harness.run { client, _ in
            for (body, param) in cases {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest)
                    let error = try json(response)["error"]
                    #expect(error?["param"]?.stringValue == param)
                    #expect(error?["message"]?.stringValue?.isEmpty == false)
                }
            }
        }
        #expect(try harness.rows().count == 3)
    }

    @Test func missingModelFileIs503NamingIt() async throws {
        let harness = try GatewayHarness(configure: { configuration in
            configuration.routes.append(RouteConfiguration(name: "student", backend: .student))
            configuration.student.model = "/nonexistent/model.gguf"
        })
        try await harness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: chatBody(model: "student"))) { response in
                #expect(response.status == .serviceUnavailable)
                let message = try json(response)["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("/nonexistent/model.gguf"))
            }
        }
    }
}

/// The student answers the Responses and Messages surfaces too, whole and streamed,
/// in each surface's shape, logged with the surface.
@Suite struct StudentSurfaceTests {
    @Test func theStudentAnswersResponsesAndMessages() async throws {
        let harness = try StudentRouteTests.harness()
        let requests = [
            ("/v1/responses", #"{"model":"student","input":"hi","max_output_tokens":5,"temperature":0}"#),
            ("/v1/responses", #"{"model":"student","input":"hi","max_output_tokens":5,"temperature":0,"stream":true}"#),
            ("/v1/messages", #"{"model":"student","max_tokens":5,"temperature":0,"messages":[{"role":"user","content":"hi"}]}"#),
            ("/v1/messages", #"{"model":"student","max_tokens":5,"temperature":0,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#),
        ]
        let answers = try await harness.run { client, _ in
            var answers: [(Int, [UInt8])] = []
            for (path, body) in requests {
                let answer = try await SurfacesTests.post(client, path, body)
                answers.append((answer.status, answer.body))
            }
            return answers
        }
        #expect(answers.allSatisfy { $0.0 == 200 })
        let response = try JSONValue.parse(answers[0].1)
        #expect(response["object"]?.stringValue == "response" && response["usage"]?["output_tokens"]?.intValue ?? 9 <= 5)
        let streamedText = SurfacesTests.events(answers[1].1).compactMap { $0.data?["delta"]?.stringValue }.joined()
        let completed = try #require(SurfacesTests.events(answers[1].1).last)
        #expect(completed.name == "response.completed" || completed.name == "response.incomplete")
        // Greedy decoding: the streamed answer is the whole one.
        let wholeText = response["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"]?.stringValue
        #expect(streamedText == wholeText)
        let message = try JSONValue.parse(answers[2].1)
        #expect(message["type"]?.stringValue == "message" && message["content"]?.arrayValue?.first?["text"]?.stringValue == wholeText)
        #expect(["end_turn", "max_tokens"].contains(message["stop_reason"]?.stringValue ?? ""))
        let events = SurfacesTests.events(answers[3].1)
        #expect(events.first?.name == "message_start" && events.last?.name == "message_stop")
        #expect(events.compactMap { $0.data?["delta"]?["text"]?.stringValue }.joined() == wholeText)
        #expect(harness.mock.requests.isEmpty)
        let rows = try harness.rows()
        #expect(rows.map(\.surface) == ["responses", "responses", "messages", "messages"])
        #expect(rows.allSatisfy { $0.servedBy == "student" && $0.status == 200 && $0.completionTokens != nil && $0.rawResponseJSON != nil })
    }
}
