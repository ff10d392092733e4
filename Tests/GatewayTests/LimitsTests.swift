import ChatAPI
import Corpus
import Foundation
import Gateway
import Teacher
import TestSupport
import Testing

/// Everything a hostile teacher or client could grow or stall is bounded, each limit
/// configurable: a stream's bytes, one SSE event, an idle connection, a request body that
/// stops arriving, a client that stops reading, and the parsed size of a request.
@Suite struct LimitsTests {
    @Test func aStreamPastMaxStreamBytesIsCutAndLogged() async throws {
        let events = MockTeacher.streamEvents(content: String(repeating: "w", count: 18_000), chunks: 60)
        let harness = try GatewayHarness(handler: { _ in .stream(events: events) }) { $0.maxStreamBytes = 4096 }
        let text = try await harness.run { _, gateway in
            let response = try await gateway.post(chatBody(stream: true))
            return String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
        }
        #expect(text.contains("max_stream_bytes") && !text.contains("[DONE]"))
        let row = try harness.onlyRow()
        #expect(row.status == 502 && row.error?.contains("max_stream_bytes") == true)
    }

    @Test func anEventPastMaxSSEEventBytesIsCutAndLogged() async throws {
        // One event of many `data:` lines and no blank line to end it.
        let endless = (0..<200).map { "line \($0) " + String(repeating: "e", count: 40) }.joined(separator: "\ndata: ")
        let harness = try GatewayHarness(handler: { _ in .stream(events: [MockTeacher.streamEvents(content: "hi", chunks: 1)[0], endless]) }) {
            $0.maxSSEEventBytes = 2048
        }
        let text = try await harness.run { _, gateway in
            let response = try await gateway.post(chatBody(stream: true))
            return String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
        }
        #expect(text.contains("max_sse_event_bytes"))
        let row = try harness.onlyRow()
        #expect(row.status == 502 && row.error?.contains("max_sse_event_bytes") == true)
    }

    @Test func idleConnectionsAndHalfSentHeadsAreClosed() async throws {
        let harness = try GatewayHarness(configure: { $0.idleTimeoutMs = 300 })
        try await harness.run { _, gateway in
            let silent = try RawClient(port: gateway.port)
            #expect(silent.readUntilClosed(timeout: .seconds(5)).closed)
            let halfHead = try RawClient(port: gateway.port)
            halfHead.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            #expect(halfHead.readUntilClosed(timeout: .seconds(5)).closed)
        }
    }

    @Test func aBodyThatStopsArrivingIsClosed() async throws {
        let harness = try GatewayHarness(configure: { $0.requestReadTimeoutMs = 300 })
        try await harness.run { _, gateway in
            let client = try RawClient(port: gateway.port)
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":")
            #expect(client.readUntilClosed(timeout: .seconds(5)).closed)
        }
        #expect(harness.mock.requests.isEmpty)
    }

    /// A client that asks for a long stream and never reads it: the write that cannot
    /// complete closes the connection, the teacher transfer is cancelled and the exchange
    /// is logged as 499, instead of a thread and the exchange held forever.
    @Test func aClientThatStopsReadingIsCutAndLogged() async throws {
        let events = MockTeacher.streamEvents(content: String(repeating: "r", count: 16_000_000), chunks: 4000)
        let harness = try GatewayHarness(handler: { _ in .stream(events: events) }) { $0.clientWriteTimeoutMs = 300 }
        let rows = try await harness.run { _, gateway in
            let client = try RawClient(port: gateway.port)
            client.shrinkReceiveBuffer()
            let body = chatBody(stream: true)
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            return try await harness.waitForRows(1, within: .seconds(20))
        }
        #expect(rows.count == 1)
        #expect(rows.first?.status == 499)
    }

    @Test func aRequestWithTooManyJSONValuesIs400() async throws {
        let harness = try GatewayHarness()
        let junk = Array(repeating: "0", count: ChatRequest.maximumJSONValues).joined(separator: ",")
        let (status, text) = try await harness.run { _, gateway in
            let response = try await gateway.post(chatBody(extra: #","metadata":{"junk":[\#(junk)]}"#))
            return (response.status, String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self))
        }
        #expect(status == 400 && text.contains("more than \(ChatRequest.maximumJSONValues) values"))
        #expect(harness.mock.requests.isEmpty)
    }
}

extension LimitsTests {
    @Test func teacherRequestsPastTheCapAre503WithRetryAfter() async throws {
        let harness = try GatewayHarness(handler: { _ in .delayed(.milliseconds(500), .json(body: MockTeacher.completionJSON(content: "slow"))) },
                                         configure: { $0.teacher.maxConcurrentTransfers = 1 })
        let (first, second) = try await harness.run { _, gateway in
            async let slow = gateway.post(chatBody(text: "first"))
            try await Task.sleep(for: .milliseconds(150))
            let refused = try await gateway.post(chatBody(text: "second"))
            let text = String(decoding: try await refused.body.collect(upTo: 1 << 16), as: UTF8.self)
            let ok = try await slow
            _ = try await ok.body.collect(upTo: 1 << 16)
            return (ok.status, "\(refused.status) \(refused.header("retry-after") ?? "-") \(text.contains("overloaded"))")
        }
        #expect(first == 200 && second == "503 1 true")
        #expect(try harness.rows().map(\.status).sorted() == [200, 503])
    }
}
