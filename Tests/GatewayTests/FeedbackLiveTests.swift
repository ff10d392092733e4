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

/// Feedback on real exchanges: a completion through the gateway and the mock
/// teacher, rated right away by the completion id the client got back.
@Suite struct FeedbackLiveTests {
    @Test(arguments: [false, true])
    func rateTheCompletionJustReceived(stream: Bool) async throws {
        let harness = try GatewayHarness()
        let (status, exchangeHeader, completionID) = try await harness.run { _, gateway in
            let response = try await gateway.post(chatBody(stream: stream, text: "rate this answer"))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let text = String(decoding: bytes, as: UTF8.self)
            let id = text.components(separatedBy: "\"id\":\"").dropFirst().first?.components(separatedBy: "\"").first
            let feedback = try await gateway.client.send(TeacherRequest(
                path: "/feedback", headers: [("Content-Type", "application/json")],
                body: Array(#"{"completion_id":"\#(id ?? "")","rating":"up","comment":"quick"}"#.utf8)))
            _ = try await feedback.body.collect(upTo: 1 << 16)
            return (feedback.status, response.header("x-retort-exchange-id"), id)
        }
        #expect(status == 201 && completionID != nil)
        let row = try harness.onlyRow()
        #expect(row.id == exchangeHeader && row.completionID == completionID)
        let detail = try #require(try harness.services.reader.detail(id: row.id))
        #expect(detail.rating == 1 && detail.feedback.first?.comment == "quick")
    }
}
