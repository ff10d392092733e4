import ChatAPI
import Corpus
import Distill
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /admin/augment` runs the expansion job in the gateway; `GET /admin/augment` shows it.
@Suite struct AdminExpansionTests {
    /// Writes three new, distinct inputs when asked in JSON mode; echoes otherwise.
    static let teacher: @Sendable (MockRequest) -> MockReply = { request in
        guard request.bodyString.contains("json_object") else { return MockTeacher.defaultReply(request) }
        let inputs = ["Summarise: the harbour froze in January.", "Summarise: a violin maker opened a shop in Graz.",
                      "Summarise: ninety cyclists crossed the Alps in four days."]
        let content = JSONValue.object([("inputs", .array(inputs.map(JSONValue.string)))]).jsonString
        return .json(body: MockTeacher.completionJSON(content: content))
    }

    @Test func augmentRunsInTheGatewayAndTagsItsExchanges() async throws {
        let harness = try GatewayHarness(handler: Self.teacher)
        let (started, finished, errors) = try await harness.run { client, _ in
            for index in 0..<30 {
                _ = try await SurfacesTests.post(client, "/v1/chat/completions", chatBody(text: "Summarise: story number \(index) of the week."))
            }
            let started = try await SurfacesTests.post(client, "/admin/augment", #"{"route":"default","count":3,"seeds":4}"#)
            var finished = JSONValue.null
            for _ in 0..<300 {
                let state = try await client.execute(uri: "/admin/augment", method: .get) { try JSONValue.parse(Array($0.body.readableBytesView)) }
                finished = state
                if state["status"]?.stringValue != "running" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let errors = [try await SurfacesTests.post(client, "/admin/augment", #"{"route":"default"}"#).status,
                          try await SurfacesTests.post(client, "/admin/augment", #"{"route":"nope","count":1}"#).status]
            return (started, finished, errors)
        }
        #expect(started.status == 202)
        #expect(finished["status"]?.stringValue == "succeeded", "\(finished.jsonString)")
        #expect(finished["report"]?["logged"]?.intValue == 3 && finished["report"]?["stopped_by"]?.stringValue == "count")
        #expect(errors == [400, 404])
        var filter = ExchangeFilter(limit: 50)
        filter.tag = "source:expansion"
        let tagged = try harness.services.reader.list(filter).items
        #expect(tagged.count == 3 && tagged.allSatisfy { $0.promptPreview?.hasPrefix("Summarise:") == true })
    }

    @Test func aRouteWithExpansionEnabledIsGrownByTheGatewaysSchedule() async throws {
        let harness = try GatewayHarness(handler: Self.teacher) { configuration in
            var expansion = ExpansionScheduleSettings(enabled: true, count: 3, everyHours: 24)
            expansion.minLogged = 20
            configuration.routes[0].expansion = expansion
        }
        let scheduler = harness.services.expansionScheduler
        let (before, after, state) = try await harness.run { client, _ in
            for index in 0..<30 {
                _ = try await SurfacesTests.post(client, "/v1/chat/completions", chatBody(text: "Summarise: story number \(index) of the week."))
            }
            let started = try scheduler.check()
            var state = JSONValue.null
            for _ in 0..<300 {
                state = try await client.execute(uri: "/admin/augment", method: .get) { try JSONValue.parse(Array($0.body.readableBytesView)) }
                if state["status"]?.stringValue != "running" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            return (started, try scheduler.check(), state)
        }
        #expect(before?.count == 3 && before?.route == "default")
        #expect(after == nil)  // one job a day
        #expect(state["trigger"]?.stringValue == "schedule" && state["report"]?["logged"]?.intValue == 3, "\(state.jsonString)")
        #expect(try harness.services.reader.taggedSummary(route: "default", tag: "source:expansion").count == 3)
    }
}
