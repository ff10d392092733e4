import ChatAPI
import Corpus
import Foundation
import Gateway
import TestSupport
import Testing

/// `teacher.capture_logprobs`: the teacher is asked for token log-probabilities, they are
/// stored with the exchange, and a client that did not ask for them never sees them.
@Suite struct LogprobCaptureTests {
    static func harness(capture: Int = 20) throws -> GatewayHarness {
        try GatewayHarness(handler: MockTeacher.logprobsReply) { $0.teacher.captureLogprobs = capture }
    }

    /// The stored log-probabilities of the one logged exchange, if any.
    static func stored(_ harness: GatewayHarness) throws -> TokenLogprobs? {
        let row = try harness.onlyRow()
        let blob = try harness.services.reader.withDatabase { db in
            try db.query("SELECT data FROM exchange_logprobs WHERE exchange_id = ?", [row.id]).first?.first
        }
        guard case .blob(let bytes)? = blob else { return nil }
        return TokenLogprobs(encoded: bytes)
    }

    /// The request the mock teacher received.
    static func upstream(_ harness: GatewayHarness) throws -> [String: Any] {
        try #require(harness.mock.requests.last?.json)
    }

    @Test func aWholeAnswerIsStoredWithItsLogprobsAndTheClientGetsNone() async throws {
        let harness = try Self.harness()
        let response = try await harness.run { _, gateway in try await gateway.post(chatBody(text: "Paris")) }
        let json = try JSONValue.parse(try await response.body.collect(upTo: 1 << 20))
        #expect(json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "Paris")
        #expect(json["choices"]?.arrayValue?.first?["logprobs"] == .null)
        let upstream = try Self.upstream(harness)
        #expect(upstream["logprobs"] as? Bool == true && upstream["top_logprobs"] as? Int == 20)
        let stored = try #require(try Self.stored(harness))
        #expect(stored.text == Array("Paris".utf8) && stored.tokens.allSatisfy { $0.top.count == 3 })
        #expect(try harness.onlyRow().responseJSON?.contains("top_logprobs") == false)  // the log holds what the client saw
    }

    @Test func aStreamIsRelayedWithoutLogprobsAndStoredWithThem() async throws {
        let harness = try Self.harness(capture: 2)
        let events = try await harness.run { _, gateway in
            var parser = SSEParser()
            return parser.feed(try await gateway.post(chatBody(stream: true, text: "Lyon")).body.collect(upTo: 1 << 20))
        }
        #expect(events.last?.data == "[DONE]")
        var accumulator = StreamAccumulator()
        for event in events {
            accumulator.consume(event)
            #expect(!event.data.contains("top_logprobs"))
        }
        #expect(accumulator.completion()["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "Lyon")
        let stored = try #require(try Self.stored(harness))
        #expect(stored.text == Array("Lyon".utf8) && stored.tokens.allSatisfy { $0.top.count == 2 })
    }

    @Test func aClientThatAsksForLogprobsGetsThemAndTheyAreStored() async throws {
        let harness = try Self.harness()
        let body = chatBody(text: "Nice", extra: #","logprobs":true,"top_logprobs":1"#)
        let response = try await harness.run { _, gateway in try await gateway.post(body) }
        let json = try JSONValue.parse(try await response.body.collect(upTo: 1 << 20))
        #expect(json["choices"]?.arrayValue?.first?["logprobs"]?["content"]?.arrayValue?.count == 4)
        #expect(try Self.upstream(harness)["top_logprobs"] as? Int == 1)  // the client's request is not changed
        #expect(try Self.stored(harness)?.tokens.first?.top.count == 1)
    }

    @Test func withoutCaptureNothingIsAskedOrStored() async throws {
        let harness = try Self.harness(capture: 0)
        _ = try await harness.run { _, gateway in try await gateway.post(chatBody(text: "Paris")).body.collect(upTo: 1 << 20) }
        #expect(try Self.upstream(harness)["logprobs"] == nil)
        #expect(try Self.stored(harness) == nil)
    }

    @Test(arguments: [(#"true"#, 20), (#"false"#, 0), (#"5"#, 5)])
    func theSettingTakesABooleanOrACount(value: String, alternatives: Int) throws {
        let settings = try JSONDecoder().decode(TeacherSettings.self, from: Data(#"{"capture_logprobs":\#(value)}"#.utf8))
        #expect(settings.captureLogprobs == alternatives)
    }

    @Test func moreThanTwentyAlternativesIsRefused() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TeacherSettings.self, from: Data(#"{"capture_logprobs":21}"#.utf8))
        }
    }
}
