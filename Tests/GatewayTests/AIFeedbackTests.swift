import ChatAPI
import Corpus
import Distill
import Foundation
import Gateway
import Serving
import TestSupport
import Testing

/// Teacher feedback (`routes[].ai_feedback`): a shadow answer that differs from the
/// teacher's goes to the teacher as pairwise judge, and the verdict becomes an
/// `ai_feedback` preference pair, within the route's hourly budget.
@Suite struct AIFeedbackTests {
    /// A mock teacher that echoes requests and, asked as the judge, prefers its own echo of
    /// the prompt (the student of the harness never gives it).
    @Sendable static func judgingTeacher(_ request: MockRequest) -> MockReply {
        guard request.bodyString.contains("impartial judge"),
              let user = (request.json?["messages"] as? [[String: Any]])?.last?["content"] as? String
        else { return MockTeacher.defaultReply(request) }
        let answerA = user.components(separatedBy: "[Answer A]\n").last?.components(separatedBy: "\n\n[Answer B]").first
        let verdict = answerA == ServingHarness.prompt ? "A" : "B"
        return .json(body: #"{"id":"j","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"\#(verdict)"},"finish_reason":"stop"}]}"#)
    }

    static func harness(_ feedback: AIFeedbackSettings) throws -> ServingHarness {
        try ServingHarness(mode: .shadow, configure: { configuration in
            configuration.serving.shadowSampleRate = 1
            configuration.routes[0].aiFeedback = feedback
        }, handler: judgingTeacher)
    }

    /// The judge calls the mock teacher received.
    static func judgeCalls(_ harness: ServingHarness) -> [MockRequest] {
        harness.gateway.mock.requests.filter { $0.bodyString.contains("impartial judge") }
    }

    static func counter(_ harness: ServingHarness, _ outcome: String) -> Double {
        harness.services.metrics.counter("retort_ai_feedback_judgments_total", [("route", "default"), ("outcome", outcome)])
    }

    /// Waits (up to 4 s) until `condition` holds.
    static func eventually(_ condition: () throws -> Bool) async throws {
        for _ in 0..<200 where try !condition() { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func aJudgedLossBecomesAPairWithTheTeachersAnswerChosen() async throws {
        let harness = try Self.harness(AIFeedbackSettings(enabled: true))
        try await harness.gateway.run { client, _ in
            _ = try await ServingHarness.post(client, ServingHarness.body())
            try await Self.eventually { Self.counter(harness, "loss") == 1 }
        }
        let row = try harness.gateway.onlyRow()
        let shadow = try #require(try harness.studentAnswers(kind: "shadow").first)
        let studentText = try #require(ShadowRun.answerText(shadow.responseJSON))
        let pairs = try harness.services.reader.withDatabase { db in
            try db.query("SELECT source, chosen_exchange_id, chosen_message, rejected_exchange_id, rejected_message, feedback_id FROM preference_pairs")
        }
        #expect(pairs.count == 1)
        let pair = try #require(pairs.first)
        #expect(pair[0].string == "ai_feedback" && pair[1].string == row.id && pair[2].string == nil && pair[3].string == row.id)
        #expect(try JSONValue.parse(Array((pair[4].string ?? "").utf8))["content"]?.stringValue == studentText)
        #expect(pair[5].string == "ai_feedback:" + row.id)
        let judge = try #require(Self.judgeCalls(harness).first)
        #expect(judge.json?["model"] as? String == "mock-teacher")  // the route's teacher model
        #expect(harness.services.metrics.counter("retort_ai_feedback_pairs_total", [("route", "default")]) == 1)
    }

    @Test func theHourlyBudgetCapsJudgeCallsAndCountsTheRest() async throws {
        let harness = try Self.harness(AIFeedbackSettings(enabled: true, maxJudgmentsPerHour: 1))
        try await harness.gateway.run { client, _ in
            for _ in 0..<3 { _ = try await ServingHarness.post(client, ServingHarness.body()) }
            try await Self.eventually { Self.counter(harness, "loss") + Self.counter(harness, "over_budget") == 3 }
        }
        #expect(Self.counter(harness, "loss") == 1 && Self.counter(harness, "over_budget") == 2)
        #expect(Self.judgeCalls(harness).count == 1)
    }

    @Test func withoutAIFeedbackTheTeacherIsNeverAskedToJudge() async throws {
        let harness = try Self.harness(AIFeedbackSettings())
        try await harness.gateway.run { client, _ in
            _ = try await ServingHarness.post(client, ServingHarness.body())
            try await Self.eventually { try !harness.studentAnswers(kind: "shadow").isEmpty }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Self.judgeCalls(harness).isEmpty)
        #expect(try harness.services.reader.withDatabase { db in try db.query("SELECT id FROM preference_pairs") }.isEmpty)
    }

    @Test func theSettingsAreCheckedWhenRead() throws {
        let decode = { (json: String) in try JSONDecoder().decode(AIFeedbackSettings.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"enabled":true}"#) == AIFeedbackSettings(enabled: true, sampleRate: 1, maxJudgmentsPerHour: 60))
        #expect(throws: DecodingError.self) { try decode(#"{"sample_rate":1.5}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"max_judgments_per_hour":-1}"#) }
    }
}
