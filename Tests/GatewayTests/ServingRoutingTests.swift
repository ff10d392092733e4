import ChatAPI
import Corpus
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Serving
import Testing

/// Per-request routing on a route in each serving mode, with the tiny model as student.
@Suite struct ServingRoutingTests {
    @Test func teacherModeAsksTheTeacherAndSaysWhy() async throws {
        let harness = try ServingHarness(mode: .teacher)
        let (status, _) = try await harness.gateway.run { client, _ in try await ServingHarness.post(client, ServingHarness.body()) }
        #expect(status == .ok)
        let row = try harness.gateway.onlyRow()
        #expect(row.servedBy == "teacher" && row.servedReason == "teacher:mode_teacher")
        #expect(harness.gateway.mock.requests.count == 1)
    }

    @Test func studentModeAnswersLocallyWithoutCallingTheTeacher() async throws {
        let harness = try ServingHarness(mode: .student)
        let (status, json) = try await harness.gateway.run { client, _ in try await ServingHarness.post(client, ServingHarness.body()) }
        #expect(status == .ok)
        #expect(json?["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop")
        #expect(json?["choices"]?.arrayValue?.first?["logprobs"] == .null)
        #expect(harness.gateway.mock.requests.isEmpty)
        let row = try harness.gateway.onlyRow()
        #expect(row.servedBy == "student" && row.servedReason == "student:student" && row.upstreamModel == harness.model)
        #expect(row.completionID == json?["id"]?.stringValue && row.status == 200)
    }

    @Test func toolsAndTooLongAnswersFallBackToTheTeacher() async throws {
        let harness = try ServingHarness(mode: .student)
        let tools = #","tools":[{"type":"function","function":{"name":"lookup"}}]"#
        let long = #"{"model":"default","temperature":0,"max_tokens":2,"messages":[{"role":"user","content":"\#(ServingHarness.prompt)"}]}"#
        let statuses = try await harness.gateway.run { client, _ in
            [try await ServingHarness.post(client, ServingHarness.body(extra: tools)).0, try await ServingHarness.post(client, long).0]
        }
        #expect(statuses == [.ok, .ok])
        let rows = try harness.gateway.rows()
        #expect(rows.map(\.servedBy) == ["teacher", "teacher"])
        #expect(rows.map(\.servedReason) == ["student:unsupported_tools", "student:finish_length"])
        #expect(harness.gateway.mock.requests.count == 2)
        let kept = try harness.studentAnswers(kind: "fallback")
        #expect(kept.map(\.reason) == ["finish_length"] && kept.first?.exchangeID == rows[1].id)
        let metrics = harness.services.metrics
        #expect(metrics.counter("retort_fallbacks_total", [("route", "default"), ("reason", "unsupported_tools")]) == 1)
        #expect(metrics.counter("retort_fallbacks_total", [("route", "default"), ("reason", "finish_length")]) == 1)
    }

    @Test func invalidJSONAndLongPromptsFallBack() async throws {
        // Free sampling, so the answer check is what catches the tiny model's non-JSON.
        let harness = try ServingHarness(mode: .student, configure: { $0.student.constrainedDecoding = false })
        let json = ServingHarness.body(extra: #","response_format":{"type":"json_object"}"#)
        let long = #"{"model":"default","messages":[{"role":"user","content":"\#(String(repeating: "hello there ", count: 300))"}]}"#
        let statuses = try await harness.gateway.run { client, _ in
            [try await ServingHarness.post(client, json).0, try await ServingHarness.post(client, long).0]
        }
        #expect(statuses == [.ok, .ok])
        #expect(try harness.gateway.rows().map(\.servedReason) == ["student:invalid_json", "student:context_exceeded"])
        #expect(try harness.studentAnswers(kind: "fallback").map(\.reason) == ["invalid_json"])
    }

    @Test func lowConfidenceFallsBack() async throws {
        // A threshold no random-weight model's 10th-percentile token probability reaches.
        let harness = try ServingHarness(mode: .student) { $0.serving.minimumConfidence = 0.9999 }
        _ = try await harness.gateway.run { client, _ in try await ServingHarness.post(client, ServingHarness.body()) }
        let reason = try harness.gateway.onlyRow().servedReason
        #expect(reason == "student:low_confidence", "\(String(describing: reason))")
        #expect(try harness.studentAnswers(kind: "fallback").map(\.reason) == ["low_confidence"])
    }

    @Test func studentStreamIsCheckedWholeThenReplayed() async throws {
        let harness = try ServingHarness(mode: .student)
        let (whole, events) = try await harness.gateway.run { client, gateway in
            let whole = try await ServingHarness.post(client, ServingHarness.body()).1
            let response = try await gateway.post(ServingHarness.body(stream: true))
            var parser = SSEParser()
            return (whole, parser.feed(try await response.body.collect(upTo: 1 << 20)).map(\.data))
        }
        #expect(events.last == "[DONE]")
        var accumulator = StreamAccumulator()
        for event in events { accumulator.consume(SSEEvent(data: event)) }
        #expect(ServingHarness.text(accumulator.completion()) == ServingHarness.text(whole))
        #expect(try harness.gateway.rows().map(\.servedBy) == ["student", "student"])
        #expect(harness.gateway.mock.requests.isEmpty)
    }

    @Test func aStreamCheckedOnItsFirstTokensStreamsTheRestLive() async throws {
        let harness = try ServingHarness(mode: .student) { $0.serving.streamCheckTokens = 2 }
        let (whole, events) = try await harness.gateway.run { client, gateway in
            let whole = try await ServingHarness.post(client, ServingHarness.body()).1
            let response = try await gateway.post(ServingHarness.body(stream: true, extra: #","stream_options":{"include_usage":true}"#))
            var parser = SSEParser()
            return (whole, parser.feed(try await response.body.collect(upTo: 1 << 20)).map(\.data))
        }
        var accumulator = StreamAccumulator()
        for event in events { accumulator.consume(SSEEvent(data: event)) }
        #expect(events.last == "[DONE]" && accumulator.finishReason == "stop")
        #expect(ServingHarness.text(accumulator.completion()) == ServingHarness.text(whole))
        #expect(try harness.gateway.rows().map(\.servedReason) == ["student:student", "student:student"])
    }

    @Test func aStreamWhoseFirstTokensFailFallsBackBeforeTheHead() async throws {
        let harness = try ServingHarness(mode: .student) { configuration in
            configuration.serving.streamCheckTokens = 2
            configuration.serving.minimumConfidence = 0.9999
        }
        let events = try await harness.gateway.run { _, gateway in
            var parser = SSEParser()
            return parser.feed(try await gateway.post(ServingHarness.body(stream: true)).body.collect(upTo: 1 << 20)).map(\.data)
        }
        var accumulator = StreamAccumulator()
        for event in events { accumulator.consume(SSEEvent(data: event)) }
        #expect(ServingHarness.text(accumulator.completion()) == ServingHarness.prompt)  // the mock teacher's echo
        let row = try harness.gateway.onlyRow()
        #expect(row.servedBy == "teacher" && row.servedReason == "student:low_confidence")
    }

    @Test func shadowRunsAfterTheTeacherAndKeepsTheAnswer() async throws {
        let harness = try ServingHarness(mode: .shadow) { $0.serving.shadowSampleRate = 1 }
        let (_, json) = try await harness.gateway.run { client, _ in try await ServingHarness.post(client, ServingHarness.body()) }
        #expect(ServingHarness.text(json) == ServingHarness.prompt)  // the mock teacher's echo
        let row = try harness.gateway.onlyRow()
        #expect(row.servedBy == "teacher" && row.servedReason == "shadow:mode_shadow")
        var shadow: [StoredStudentAnswer] = []
        for _ in 0..<200 where shadow.isEmpty {
            shadow = try harness.studentAnswers(kind: "shadow")
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(shadow.count == 1 && shadow.first?.exchangeID == row.id && shadow.first?.judgment == "loss")
        #expect(harness.services.metrics.counter("retort_shadow_total", [("route", "default"), ("outcome", "run")]) == 1)
    }

    @Test func canaryIsStickyPerUser() async throws {
        let harness = try ServingHarness(mode: .canary, percent: 50)
        let users = (0..<12).map { "user-\($0)" }
        try await harness.gateway.run { client, _ in
            for user in users + users { _ = try await ServingHarness.post(client, ServingHarness.body(user: user)) }
        }
        let rows = try harness.gateway.rows()
        #expect(rows.count == 24)
        let first = Array(rows.prefix(12)), second = Array(rows.suffix(12))
        #expect(first.map(\.servedBy) == second.map(\.servedBy))
        for (row, user) in zip(first, users) {
            let expected = CanaryAssignment.isInCanary(.user(user), route: "default", percent: 50)
            #expect((row.servedBy == "student") == expected)
            #expect(row.servedReason == (expected ? "canary:student" : "canary:not_in_canary"))
        }
        #expect(Set(first.map(\.servedBy)) == ["student", "teacher"])
    }
}

/// Progressive serving answers the Responses and Messages surfaces like chat: the
/// student in student mode, the teacher when the request is beyond the student.
@Suite struct ServingSurfaceTests {
    @Test func studentModeServesEverySurfaceAndFallsBackOnEach() async throws {
        // Requests 2 and 3 stop at the task's stop sequence, as chat ones do.
        let harness = try ServingHarness(mode: .student)
        let prompt = ServingHarness.prompt, stop = ServingHarness.stop
        let tool = #"{"name":"lookup","input_schema":{"type":"object"}}"#
        let requests = [
            ("/v1/responses", #"{"model":"default","temperature":0,"max_output_tokens":24,"input":"\#(prompt)"}"#),
            ("/v1/messages", #"{"model":"default","temperature":0,"max_tokens":24,"stop_sequences":["\#(stop)"],"messages":[{"role":"user","content":"\#(prompt)"}]}"#),
            ("/v1/messages", #"{"model":"default","temperature":0,"max_tokens":24,"stream":true,"stop_sequences":["\#(stop)"],"messages":[{"role":"user","content":"\#(prompt)"}]}"#),
            ("/v1/messages", #"{"model":"default","max_tokens":24,"tools":[\#(tool)],"messages":[{"role":"user","content":"\#(prompt)"}]}"#),
        ]
        let statuses = try await harness.gateway.run { client, _ in
            var statuses: [Int] = []
            for (path, body) in requests { statuses.append(try await SurfacesTests.post(client, path, body).status) }
            return statuses
        }
        #expect(statuses == [200, 200, 200, 200])
        let rows = try harness.gateway.rows()
        #expect(rows.map(\.surface) == ["responses", "messages", "messages", "messages"])
        // The Responses API has no `stop`, so the tiny model runs to max_output_tokens: the
        // answer check sends that one to the teacher, as a tool request is.
        #expect(rows.map(\.servedBy) == ["teacher", "student", "student", "teacher"])
        #expect(rows[0].servedReason == "student:finish_length" && rows[3].servedReason == "student:unsupported_tools")
        #expect(harness.gateway.mock.requests.count == 2)
    }
}
