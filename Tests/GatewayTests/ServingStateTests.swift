import ChatAPI
import Corpus
import Foundation
import Distill
import Gateway
import Hummingbird
import HummingbirdTesting
import Serving
import Testing

/// Serving states: initial modes from the configuration, persistence, changes from outside
/// the process, the admin API, automatic rollback and the metrics.
@Suite struct ServingStateTests {
    static func admin(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ body: String? = nil) async throws -> (HTTPResponse.Status, JSONValue?) {
        try await client.execute(uri: "/admin/serving", method: method, headers: body == nil ? [:] : [.contentType: "application/json"],
                                 body: body.map { ByteBuffer(string: $0) }) { response in
            (response.status, try? JSONValue.parse(Array(response.body.readableBytesView)))
        }
    }

    @Test func theConfiguredModeHoldsUntilAChangeIsStoredAndTheStoredStateSurvivesARestart() throws {
        let harness = try ServingHarness(mode: .shadow)
        let runtime = harness.services.serving
        #expect(runtime.state(of: "default")?.mode == .shadow && runtime.state(of: "default")?.student == harness.model)
        #expect(runtime.state(of: "mock-teacher")?.mode == .teacher && runtime.state(of: "student") == nil)
        let event = try #require(try runtime.set(route: "default", mode: .canary, percent: 25, note: "by test"))
        #expect(event.from.mode == .shadow && event.to.canaryPercent == 25 && event.actor == .manual && event.note == "by test")
        #expect(runtime.state(of: "default")?.mode == .canary)
        let restarted = try GatewayServices.build(configuration: harness.services.configuration)
        #expect(restarted.serving.state(of: "default")?.canaryPercent == 25)
        #expect(try restarted.serving.book.events(route: "default").count == 1)
    }

    @Test func aChangeMadeByAnotherProcessIsPickedUp() throws {
        let harness = try ServingHarness(mode: .teacher)
        // What `retort serving set` does: its own connection, the same corpus file.
        let other = ServingStateBook(store: ServingStore(reader: try SQLiteCorpus(path: harness.gateway.databasePath)),
                                     routes: harness.services.configuration.routes)
        try other.set(route: "default", mode: .student, student: harness.model)
        #expect(harness.services.serving.state(of: "default")?.mode == .teacher)
        harness.services.serving.tick()
        #expect(harness.services.serving.state(of: "default")?.mode == .student)
        #expect(throws: ServingBookError.self) { try other.set(route: "student", mode: .teacher) }
        #expect(throws: ServingError.self) { try other.set(route: "default", mode: .canary, percent: 0) }
    }

    @Test func adminAPIShowsAndSwitchesRoutes() async throws {
        let harness = try ServingHarness(mode: .teacher)
        let results = try await harness.gateway.run { client, _ in
            [try await Self.admin(client, .post, #"{"route":"default","mode":"canary","percent":10,"student":"\#(harness.model)"}"#),
             try await Self.admin(client, .post, #"{"route":"default","mode":"sideways"}"#),
             try await Self.admin(client, .post, #"{"route":"nope","mode":"teacher"}"#),
             try await Self.admin(client, .post, #"{"route":"default","mode":"canary","percent":101}"#),
             try await Self.admin(client, .get)]
        }
        #expect(results.map(\.0) == [.ok, .badRequest, .notFound, .badRequest, .ok])
        #expect(results[0].1?["event"]?["to"]?["mode"]?.stringValue == "canary")
        let shown = try #require(results[4].1)
        let route = shown["data"]?.arrayValue?.first { $0["route"]?.stringValue == "default" }
        #expect(route?["mode"]?.stringValue == "canary" && route?["canary_percent"]?.doubleValue == 10)
        #expect(route?["student_status"]?.stringValue == "loaded")
        #expect(shown["events"]?.arrayValue?.count == 1)
        #expect(shown["events"]?.arrayValue?.first?["reason"]?.stringValue == "manual")
    }

    @Test func thumbsDownRollTheStudentBackToTheTeacher() async throws {
        let harness = try ServingHarness(mode: .student) { configuration in
            configuration.serving.rollback.minimumRatings = 3
            configuration.serving.rollback.maximumDownRate = 0.5
        }
        let ids = try await harness.gateway.run { client, _ in
            var ids: [String] = []
            for _ in 0..<3 { ids.append(try await ServingHarness.post(client, ServingHarness.body()).1?["id"]?.stringValue ?? "") }
            return ids
        }
        #expect(try harness.gateway.rows().allSatisfy { $0.servedBy == "student" })
        let feedback = FeedbackStore(reader: harness.services.reader)
        for id in ids { _ = try feedback.record(FeedbackSubmission(json: JSONValue.parse(#"{"completion_id":"\#(id)","rating":"down"}"#))) }
        harness.services.serving.tick()
        let state = try #require(harness.services.serving.state(of: "default"))
        #expect(state.mode == .teacher)
        let event = try #require(try harness.services.serving.book.events(route: "default").first)
        #expect(event.reason == .ratingsDropped && event.actor == .automatic && event.note.contains("3 ratings"))
    }

    @Test func metricsCountWhoServedAndWhy() async throws {
        let harness = try ServingHarness(mode: .student)
        let text = try await harness.gateway.run { client, _ in
            _ = try await ServingHarness.post(client, ServingHarness.body())
            _ = try await ServingHarness.post(client, ServingHarness.body(extra: #","n":2"#))
            return try await client.execute(uri: "/metrics", method: .get) { $0.body.text }
        }
        #expect(text.contains(#"retort_fallbacks_total{route="default",reason="unsupported_parameter"} 1"#))
        #expect(text.contains(#"retort_teacher_calls_saved_total{route="default"} 1"#))
        #expect(text.contains(#"retort_student_share{route="default"} 0.5"#))
        #expect(text.contains("retort_gateway_overhead_seconds_count{route=\"default\"} 1"))
        #expect(text.contains(#"retort_time_to_first_token_seconds_count{route="default",served_by="student"} 1"#))
        #expect(text.contains("retort_student_queue_depth 0"))
    }
}
