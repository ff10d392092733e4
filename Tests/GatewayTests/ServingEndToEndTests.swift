import ChatAPI
import Corpus
import Foundation
import Distill
import Gateway
import Hummingbird
import HummingbirdTesting
import Serving
import TestSupport
import Testing

/// The whole progressive-serving story on a narrow task, automatically: a mock teacher
/// that acknowledges every request with "OK" → traffic logged → a student that learnt the
/// task (``ServingAcknowledger``) and one that did not (the random tiny model) → the gate
/// passes only the first → shadow → canary → student; afterwards the student serves the
/// task and a request with tools still goes to the teacher.
@Suite struct ServingEndToEndTests {
    /// The mock teacher: "OK" to every chat request, a tool call when tools are offered.
    @Sendable static func teacher(_ request: MockRequest) -> MockReply {
        if request.json?["tools"] != nil { return MockTeacher.defaultReply(request) }
        let usage = MockUsage(promptTokens: 5, completionTokens: 1)
        return .json(body: MockTeacher.completionJSON(id: "chatcmpl-ok-\(UUID().uuidString.prefix(8))", model: "mock-teacher",
                                                      content: ServingAcknowledger.answer, toolCall: nil, choices: 1, usage: usage))
    }

    static func configure(_ configuration: inout GatewayConfiguration) {
        configuration.serving.autoPromote = true
        configuration.serving.pollIntervalMs = 3_600_000  // the test ticks by hand
        configuration.serving.shadowSampleRate = 1
        // Shed no shadow work, however slow a loaded machine runs it: shadow runs wait in the
        // student queue's background lane, behind the canary's served requests, which the
        // default `student_queue_limit` (8) still governs.
        configuration.serving.shadowQueueLimit = 64
        configuration.student.maxQueue = 128
        configuration.serving.gate.minimumSamples = 5
        configuration.serving.gate.minimumExactMatch = 0.95
        configuration.serving.selectiveGate.minimumSamples = 5
        configuration.serving.rollout.minimumShadowSeconds = 0
        configuration.serving.rollout.minimumShadowJudged = 5
        configuration.serving.rollout.canaryPercent = 50
        configuration.serving.rollout.minimumCanarySeconds = 0
        configuration.serving.rollout.minimumCanaryRatings = 3
    }

    static func body(_ index: Int, user: String, tools: Bool = false) -> String {
        let extra = tools ? #","tools":[{"type":"function","function":{"name":"lookup"}}]"# : ""
        return #"{"model":"default","user":"\#(user)","max_tokens":8,"messages":[{"role":"user","content":"please acknowledge item \#(index)"}]\#(extra)}"#
    }

    @Test func aRouteMovesFromTeacherToStudentOnItsOwn() async throws {
        let good = try ServingAcknowledger.write(), bad = try TinyModel.write()
        let harness = try GatewayHarness(handler: Self.teacher, configure: Self.configure)
        let runtime = harness.services.serving
        let store = ServingStore(reader: harness.services.reader)
        let report = try await harness.run { client, _ in
            var report = EndToEndReport()
            // 1. Teacher only: traffic is logged.
            for index in 0..<120 { _ = try await ServingHarness.post(client, Self.body(index, user: "u\(index % 40)")) }
            harness.services.log.flush()
            // 2. The gate: the untrained student fails, the trained one passes and enters shadow.
            let serving = harness.services.configuration.serving
            let evaluation = StudentEvaluation(store: store, thresholds: serving.gate, selective: serving.selectiveGate)
            report.badGate = try await evaluation.run(candidate: bad, modelPath: bad, route: "default", limit: nil)
            runtime.tick()
            report.modeAfterBadGate = runtime.state(of: "default")?.mode
            report.goodGate = try await evaluation.run(candidate: good, modelPath: good, route: "default", limit: nil)
            runtime.tick()
            report.modeAfterGoodGate = runtime.state(of: "default")?.mode
            report.promotionInShadow = try await client.execute(uri: "/admin/serving", method: .get) { response in
                try JSONValue.parse(Array(response.body.readableBytesView))["data"]?.arrayValue?
                    .first { $0["route"]?.stringValue == "default" }?["promotion"]?.stringValue
            }
            runtime.preloadStudents()
            // 3. Shadow: the teacher answers, the student's answers are judged against it.
            for index in 120..<130 { _ = try await ServingHarness.post(client, Self.body(index, user: "u\(index % 40)")) }
            try await Self.waitForShadowJudgments(store, count: 10)
            runtime.tick()
            report.modeAfterShadow = runtime.state(of: "default")?.mode
            // 4. Canary: half the users get the student; users rate both sides.
            var ids: [(server: String, id: String)] = []
            for index in 130..<170 {
                let (_, json) = try await ServingHarness.post(client, Self.body(index, user: "canary-\(index)"))
                ids.append(((json?["id"]?.stringValue ?? "").hasPrefix("chatcmpl-ok") ? "teacher" : "student", json?["id"]?.stringValue ?? ""))
            }
            report.canaryStudentShare = Double(ids.filter { $0.server == "student" }.count) / Double(ids.count)
            harness.services.log.flush()
            let feedback = FeedbackStore(reader: harness.services.reader)
            for server in ["student", "teacher"] {
                for entry in ids.filter({ $0.server == server }).prefix(3) {
                    _ = try feedback.record(FeedbackSubmission(json: JSONValue.parse(#"{"completion_id":"\#(entry.id)","rating":"up"}"#)))
                }
            }
            runtime.tick()
            report.modeAfterCanary = runtime.state(of: "default")?.mode
            // 5. Student: the task is served locally; tools still go to the teacher.
            let before = try harness.rows().count
            for index in 170..<200 { _ = try await ServingHarness.post(client, Self.body(index, user: "after-\(index)")) }
            _ = try await ServingHarness.post(client, Self.body(200, user: "tools", tools: true))
            let after = Array(try harness.rows().dropFirst(before))
            report.finalStudentShare = Double(after.dropLast().filter { $0.servedBy == "student" }.count) / Double(after.count - 1)
            report.toolsRequest = after.last.map { ($0.servedBy, $0.servedReason ?? "") }
            report.events = try runtime.book.events(route: "default").reversed().map { "\($0.to.mode.rawValue):\($0.reason.rawValue)" }
            return report
        }
        #expect(report.badGate?.passed == false && report.modeAfterBadGate == .teacher)
        #expect(report.badGate?.failureCodes == ["coverage_below_minimum"])
        #expect(report.goodGate?.passed == true && report.goodGate?.metrics.exactMatch == 1)
        #expect(report.goodGate?.router?.gate.operatingPoint.coverage == 1)
        #expect((report.goodGate?.metrics.sampleCount ?? 0) >= 5)
        #expect(report.modeAfterGoodGate == .shadow && report.modeAfterShadow == .canary && report.modeAfterCanary == .student)
        #expect(report.promotionInShadow == "too_few_judgments")
        #expect(report.canaryStudentShare > 0.2 && report.canaryStudentShare < 0.8)
        #expect(report.finalStudentShare >= 0.8)
        #expect(report.toolsRequest?.0 == "teacher" && report.toolsRequest?.1 == "student:unsupported_tools")
        #expect(report.events == ["shadow:gate_passed", "canary:shadow_passed", "student:canary_passed"])
        print("end-to-end:", report.summary)
    }

    static func waitForShadowJudgments(_ store: ServingStore, count: Int) async throws {
        for _ in 0..<3000 {  // up to a minute on a loaded machine; a few milliseconds usually
            if try store.studentAnswers(route: "default", kind: "shadow").filter({ $0.judgment != nil }).count >= count { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// What the end-to-end run saw at each stage.
struct EndToEndReport: Sendable {
    var badGate: EvaluationReport?
    var goodGate: EvaluationReport?
    var modeAfterBadGate: ServingMode?
    var modeAfterGoodGate: ServingMode?
    var promotionInShadow: String?
    var modeAfterShadow: ServingMode?
    var modeAfterCanary: ServingMode?
    var canaryStudentShare = 0.0
    var finalStudentShare = 0.0
    var toolsRequest: (String, String)?
    var events: [String] = []

    var summary: String {
        let gate = { (report: EvaluationReport?) in
            report.map { "passed=\($0.gate.passed) samples=\($0.metrics.sampleCount) exact=\($0.metrics.exactMatch) f1=\($0.metrics.tokenF1)" } ?? "-"
        }
        return "untrained gate [\(gate(badGate))]; trained gate [\(gate(goodGate))]; canary student share \(canaryStudentShare); "
            + "final student share \(finalStudentShare); tools -> \(toolsRequest.map { "\($0.0) (\($0.1))" } ?? "-"); events \(events)"
    }
}
