import ChatAPI
import Corpus
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Teacher
import TestSupport
import Testing

/// What the client gets, and what is logged, when the teacher misbehaves.
@Suite struct UpstreamFailureTests {
    func post(_ harness: GatewayHarness, stream: Bool = false) async throws -> (status: Int, body: String) {
        try await harness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: chatBody(stream: stream))) { response in
                (Int(response.status.code), response.body.text)
            }
        }
    }

    @Test func retriesA429ThenSucceeds() async throws {
        let harness = try GatewayHarness()
        harness.mock.enqueue([.status(429, retryAfter: "0")])
        let (status, _) = try await post(harness)
        #expect(status == 200)
        #expect(harness.mock.requests.count == 2)
        #expect(try harness.onlyRow().attempts == 2)
    }

    @Test func lastTeacherErrorReachesTheClient() async throws {
        let harness = try GatewayHarness()
        let body = MockTeacher.errorJSON(message: "upstream exploded", type: "server_error", code: "boom")
        harness.mock.enqueue([.status(500, body: body), .status(500, body: body), .status(500, body: body)])
        let (status, text) = try await post(harness)
        #expect(status == 500)
        #expect(text == body)
        let row = try harness.onlyRow()
        #expect(row.status == 500 && row.error == "upstream exploded" && row.attempts == 3)
    }

    @Test func unreachableTeacherIs502() async throws {
        let harness = try GatewayHarness(teacherURL: "http://127.0.0.1:9/v1")
        let (status, text) = try await post(harness)
        #expect(status == 502)
        let error = try JSONValue.parse(text)["error"]
        #expect(error?["code"]?.stringValue == "upstream_unavailable" && error?["type"]?.stringValue == "api_error")
        #expect(try harness.onlyRow().status == 502)
    }

    @Test func silentTeacherIs504() async throws {
        let harness = try GatewayHarness { _ in .stall(afterEvents: []) } configure: { $0.teacher.maxAttempts = 1 }
        let (status, text) = try await post(harness)
        #expect(status == 504)
        let json = try JSONValue.parse(text)
        #expect(json["error"]?["code"]?.stringValue == "upstream_timeout")
        #expect(try harness.onlyRow().status == 504)
    }

    @Test func stallMidStreamEndsWithErrorEventAndPartialLog() async throws {
        let events = Array(MockTeacher.streamEvents(content: "partial answer here", chunks: 3).prefix(3))
        let harness = try GatewayHarness { _ in .stall(afterEvents: events) }
        let received = try await harness.run { _, gateway in
            let response = try await gateway.post(chatBody(stream: true))
            return String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
        }
        #expect(received.hasPrefix(String(decoding: MockTeacher.sseBytes(events), as: UTF8.self)))
        #expect(received.contains(#""code":"upstream_timeout""#))
        let row = try harness.onlyRow()
        #expect(row.status == 504)
        #expect(row.responseJSON?.contains("partial") == true)
    }

    @Test func resetMidStreamIsLoggedAs502WithPartialOutput() async throws {
        let events = Array(MockTeacher.streamEvents(content: "cut off right here", chunks: 3).prefix(3))
        let harness = try GatewayHarness { _ in .resetAfter(events: events) }
        let received = try await harness.run { _, gateway in
            String(decoding: try await gateway.post(chatBody(stream: true)).body.collect(upTo: 1 << 20), as: UTF8.self)
        }
        #expect(received.contains(#""code":"upstream_unavailable""#))
        let row = try harness.onlyRow()
        #expect(row.status == 502)
        #expect(row.responseJSON?.contains("cut off") == true)
    }

    @Test func clientDisconnectCancelsUpstreamAndLogs499() async throws {
        let events = MockTeacher.streamEvents(content: String(repeating: "word ", count: 200), chunks: 200)
        let harness = try GatewayHarness { _ in .stream(events: events, delay: .milliseconds(10)) }
        try await harness.run { _, gateway in
            let response = try await gateway.post(chatBody(stream: true))
            var iterator = response.body.makeAsyncIterator()
            var received = 0
            while received < 3, (try await iterator.next()) != nil { received += 1 }
            response.body.cancel()
            _ = try await harness.waitForRows(1)
        }
        let row = try harness.onlyRow()
        #expect(row.status == 499)
        #expect(row.responseJSON?.contains("word") == true)
        #expect(await harness.mock.wait { $0.connectionsClosedByClient >= 1 })
    }
}
