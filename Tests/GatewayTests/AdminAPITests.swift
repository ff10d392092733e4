import ChatAPI
import Corpus
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AdminAPITests {
    @Test func adminKeyIsRequiredWhenConfigured() async throws {
        let corpus = try AdminTestCorpus { $0.adminKey = "admin-secret" }
        let (none, wrong, right) = try await corpus.run { client in
            (try await client.get("/admin/stats"), try await client.get("/admin/stats", headers: [.authorization: "Bearer nope"]),
             try await client.get("/admin/stats", headers: [.authorization: "Bearer admin-secret"]))
        }
        #expect(none.status == 401 && wrong.status == 401 && right.status == 200)
    }

    @Test func withoutAKeyOnlyLoopbackIsServed() async throws {
        let open = try AdminTestCorpus { $0.host = "0.0.0.0" }
        let local = try AdminTestCorpus()
        #expect(try await open.run { try await $0.get("/admin/stats") }.status == 403)
        #expect(try await local.run { try await $0.get("/admin/stats") }.status == 200)
    }

    @Test func listsFiltersSearchesAndPages() async throws {
        let corpus = try AdminTestCorpus()
        for i in 0..<7 { corpus.add(prompt: "alpha question \(i)", route: i < 4 ? "a" : "b") }
        corpus.add(prompt: "the capital of France", answers: ["Paris"], status: 502)
        try await corpus.run { client in
            let first = try JSONValue.parse(try await client.get("/admin/exchanges?limit=5").text)
            #expect(first["data"]?.arrayValue?.count == 5)
            let next = try #require(first["next_before"]?.stringValue)
            let second = try JSONValue.parse(try await client.get("/admin/exchanges?limit=5&before=\(next)").text)
            #expect(second["data"]?.arrayValue?.count == 3 && second["next_before"] == .null)
            let routeA = try JSONValue.parse(try await client.get("/admin/exchanges?route=a&status=200").text)
            #expect(routeA["data"]?.arrayValue?.count == 4)
            let found = try JSONValue.parse(try await client.get("/admin/exchanges?q=paris").text)
            #expect(found["data"]?.arrayValue?.first?["status"]?.intValue == 502)
            let injected = try await client.get("/admin/exchanges?route=a'%20OR%20'1'='1")
            let injectedJSON = try JSONValue.parse(injected.text)
            #expect(injected.status == 200 && injectedJSON["data"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test(arguments: ["%22unterminated", "AND", "(", "x:y", "NEAR(a"])
    func badSearchSyntaxIs400(query: String) async throws {
        let corpus = try AdminTestCorpus()
        corpus.add(prompt: "something")
        let reply = try await corpus.run { try await $0.get("/admin/exchanges?q=\(query)") }
        let json = try JSONValue.parse(reply.text)
        #expect(reply.status == 400 && json["error"]?["code"]?.stringValue == "invalid_search")
    }

    @Test func badParametersAre400() async throws {
        let corpus = try AdminTestCorpus()
        try await corpus.run { client in
            for uri in ["/admin/exchanges?limit=0", "/admin/exchanges?limit=x", "/admin/exchanges?rating=meh",
                        "/admin/exchanges?before=nope", "/admin/export?format=csv", "/admin/export?format=raw&split=dev"] {
                let status = try await client.get(uri).status
                #expect(status == 400, "\(uri)")
            }
            let missingVersion = try await client.get("/admin/export?format=raw&split=test&version=7").status
            #expect(missingVersion == 404)
        }
    }

    @Test func showsOneExchangeWithItsFeedback() async throws {
        let corpus = try AdminTestCorpus()
        let e = corpus.add(prompt: "show me")
        try await corpus.run { client in
            _ = try await client.postJSON("/admin/feedback", #"{"exchange_id":"\#(e.id)","comment":"from the dashboard"}"#)
            let shown = try await client.get("/admin/exchanges/\(e.id)")
            let json = try JSONValue.parse(shown.text)
            #expect(shown.status == 200 && json["request"]?["messages"]?.arrayValue?.count == 1)
            #expect(json["feedback"]?.arrayValue?.first?["comment"]?.stringValue == "from the dashboard")
            #expect(try await client.get("/admin/exchanges/unknown").status == 404)
        }
    }

    @Test func statsAndExportStream() async throws {
        let corpus = try AdminTestCorpus()
        for i in 0..<40 { corpus.add(prompt: "export question \(i)") }
        corpus.add(prompt: "failed", status: 500)
        try await corpus.run { client in
            let stats = try JSONValue.parse(try await client.get("/admin/stats").text)
            #expect(stats["exchanges"]?.intValue == 41 && stats["by_status"]?["500"]?.intValue == 1)
            let export = try await client.get("/admin/export?format=openai-sft")
            #expect(export.status == 200 && export.headers[.contentType] == "application/x-ndjson")
            let lines = try export.text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
            #expect(lines.count == 40 && lines.allSatisfy { $0["messages"]?.arrayValue?.last?["role"]?.stringValue == "assistant" })
            let train = try await client.get("/admin/export?format=trl-sft&split=train").text.split(separator: "\n").count
            let test = try await client.get("/admin/export?format=trl-sft&split=test").text.split(separator: "\n").count
            #expect(train + test == 40 && test > 0)
            let students = try JSONValue.parse(try await client.get("/admin/students").text)
            #expect(students["data"]?.arrayValue?.isEmpty == true)
        }
    }

    /// The export reads over a connection of its own: it still holds an exchange answered a
    /// moment ago, while the log's writer would let it wait (here for half a minute) to
    /// share a transaction.
    @Test func anExportRightAfterAnAnswerHoldsIt() async throws {
        let harness = try GatewayHarness(gatherDelay: 30)
        try await harness.run { client, gateway in
            let answer = try await gateway.post(chatBody(text: "export me at once"))
            _ = try await answer.body.collect(upTo: 1 << 20)
            #expect(answer.status == 200)
            let export = try await client.get("/admin/export?format=raw")
            #expect(export.status == 200 && export.text.contains("export me at once"))
        }
    }
}
