import ChatAPI
import Corpus
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Serving
import TestSupport
import Testing

/// Student versions from the `students` table, the fallback-rate rollback, and the judge.
@Suite struct ServingVersionTests {
    @Test func aRegisteredVersionServesUnderItsName() async throws {
        let harness = try ServingHarness(mode: .teacher)
        let directory = (harness.model as NSString).deletingLastPathComponent
        let file = (harness.model as NSString).lastPathComponent
        try harness.services.reader.withDatabase { db in
            try db.prepare("INSERT INTO students (version, created_at, directory, files) VALUES ('s-0007', 1, ?, ?)")
                .run([directory, #"{"gguf":"\#(file)"}"#])
        }
        try harness.services.serving.set(route: "default", mode: .student, student: "s-0007")
        #expect(harness.services.serving.preloadStudents().isEmpty)
        _ = try await harness.gateway.run { client, _ in try await ServingHarness.post(client, ServingHarness.body()) }
        let row = try harness.gateway.onlyRow()
        #expect(row.servedBy == "student" && row.upstreamModel == "s-0007")
        let runtime = harness.services.serving
        #expect(runtime.studentStatus(of: try #require(runtime.state(of: "default"))) == "loaded")
        try runtime.set(route: "default", mode: .teacher)  // no route names s-0007 any more: unloaded
        #expect(runtime.studentStatus(of: try #require(runtime.state(of: "default"))) == "not loaded")
    }

    @Test func anUnknownVersionLeavesTheTeacherServing() async throws {
        let harness = try ServingHarness(mode: .teacher)
        try harness.services.serving.set(route: "default", mode: .student, student: "s-9999")
        #expect(harness.services.serving.preloadStudents() == ["s-9999"])
        _ = try await harness.gateway.run { client, _ in try await ServingHarness.post(client, ServingHarness.body()) }
        #expect(try harness.gateway.onlyRow().servedReason == "student:student_unavailable")
        let status = harness.services.serving.studentStatus(of: try #require(harness.services.serving.state(of: "default")))
        #expect(status?.hasPrefix("failed: no student version or model file named 's-9999'") == true)
    }

    @Test func frequentFallbacksRollBackToThePreviousStudent() async throws {
        let harness = try ServingHarness(mode: .student) { configuration in
            configuration.serving.minimumConfidence = 0.9999  // every answer of the tiny model falls back
            configuration.serving.rollback.minimumRequests = 3
            configuration.serving.rollback.maximumFallbackRate = 0.5
        }
        let runtime = harness.services.serving
        let second = try TinyModel.write(seed: 7)
        try runtime.set(route: "default", mode: .student, student: second)
        runtime.preloadStudents()
        _ = try await harness.gateway.run { client, _ in
            for _ in 0..<3 { _ = try await ServingHarness.post(client, ServingHarness.body()) }
        }
        runtime.tick()
        let state = try #require(runtime.state(of: "default"))
        #expect(state.mode == .student && state.student == harness.model && state.previousStudent == nil)
        let event = try #require(try runtime.book.events(route: "default").first)
        #expect(event.reason == .fallbackRateHigh && event.from.student == second && event.note.contains("3 requests"))
    }

    @Test func explorationJudgmentsRollBackAStudentThatDisagrees() async throws {
        let harness = try ServingHarness(mode: .student) { configuration in
            configuration.serving.explorationRate = 1  // every request stays on the teacher, the student runs beside it
            configuration.serving.rollback.minimumJudged = 3
        }
        _ = try await harness.gateway.run { client, _ in
            for _ in 0..<3 { _ = try await ServingHarness.post(client, ServingHarness.body()) }
        }
        #expect(try harness.gateway.rows().map(\.servedReason) == Array(repeating: "student:exploration", count: 3))
        for _ in 0..<3000 where try harness.studentAnswers(kind: "shadow").count < 3 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try harness.studentAnswers(kind: "shadow").map(\.judgment) == ["loss", "loss", "loss"])
        harness.services.serving.tick()
        #expect(harness.services.serving.state(of: "default")?.mode == .teacher)
        let event = try #require(try harness.services.serving.book.events(route: "default").first)
        #expect(event.reason == .judgedWinRateLow && event.note.contains("3 judgments"))
    }

    @Test func theJudgeAsksTheTeacherInRandomOrder() async throws {
        let harness = try GatewayHarness(handler: { _ in
            .json(body: MockTeacher.completionJSON(content: "A"))
        })
        defer { harness.mock.shutdown() }
        let judge = harness.services.configuration.teacherJudge(route: "default")
        let request = try ChatRequest(body: Array(#"{"model":"default","messages":[{"role":"user","content":"2+2?"}]}"#.utf8))
        var verdicts: [Judgment?] = []
        for _ in 0..<16 { verdicts.append(await judge?.judge(request, student: "four", teacher: "4")) }
        #expect(Set(verdicts) == [.win, .loss])  // "A" is the student about half the time
        #expect(await judge?.judge(request, student: "4 ", teacher: "4") == .tie)
        #expect(harness.mock.requests.count == 16)
        let asked = try #require(harness.mock.requests.first?.json)
        #expect(asked["model"] as? String == "mock-teacher" && (asked["messages"] as? [[String: Any]])?.count == 2)
    }
}
