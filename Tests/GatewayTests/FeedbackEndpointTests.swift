import ChatAPI
import Corpus
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct FeedbackEndpointTests {
    @Test func ratesByExchangeOrCompletionID() async throws {
        let corpus = try AdminTestCorpus()
        let e = corpus.add(prompt: "2+2?")
        let (byExchange, byCompletion) = try await corpus.run { client in
            (try await client.postJSON("/v1/feedback", #"{"exchange_id":"\#(e.id)","rating":"up","score":0.75,"comment":"nice","tags":["ui"]}"#),
             try await client.postJSON("/v1/feedback", #"{"completion_id":"\#(e.completionID!)","rating":false}"#))
        }
        #expect(byExchange.status == 201 && byCompletion.status == 201)
        let rows = try corpus.feedbackRows()
        #expect(rows.map { $0[0].string } == [byExchange.json["id"]?.stringValue, byCompletion.json["id"]?.stringValue])
        #expect(rows[0][1].string == e.id && rows[0][3].int == 1 && rows[0][4].double == 0.75 && rows[0][5].string == "nice")
        #expect(rows[1][3].int == -1)
    }

    @Test func unknownTargetIs404AfterWaiting() async throws {
        let corpus = try AdminTestCorpus()
        let started = ContinuousClock.now
        let reply = try await corpus.run { try await $0.postJSON("/v1/feedback", #"{"exchange_id":"0190-unknown","rating":"up"}"#) }
        #expect(reply.status == 404 && reply.json["error"]?["code"]?.stringValue == "not_found")
        #expect(ContinuousClock.now - started >= .seconds(1.5))
    }

    @Test func targetStillInTheWriteQueueIsFound() async throws {
        let corpus = try AdminTestCorpus()
        let reply = try await corpus.run { client in
            let e = corpus.add(prompt: "queued", flush: false)
            return try await client.postJSON("/v1/feedback", #"{"exchange_id":"\#(e.id)","rating":"up"}"#)
        }
        #expect(reply.status == 201)
    }

    @Test func pairsNeedTheSamePrompt() async throws {
        let corpus = try AdminTestCorpus()
        let a = corpus.add(prompt: "same", answers: ["A"]), b = corpus.add(prompt: "same", answers: ["B"])
        let c = corpus.add(prompt: "different"), n2 = corpus.add(prompt: "n2", answers: ["x", "y"])
        let (same, different, choices, outOfRange) = try await corpus.run { client in
            (try await client.postJSON("/v1/feedback", #"{"chosen":"\#(a.id)","rejected":"\#(b.id)"}"#),
             try await client.postJSON("/v1/feedback", #"{"chosen":"\#(a.id)","rejected":"\#(c.id)"}"#),
             try await client.postJSON("/v1/feedback", #"{"exchange_id":"\#(n2.id)","chosen_index":1,"rejected_index":0}"#),
             try await client.postJSON("/v1/feedback", #"{"exchange_id":"\#(n2.id)","chosen_index":5,"rejected_index":0}"#))
        }
        #expect(same.status == 201 && same.json["pairs_created"]?.intValue == 1)
        #expect(different.status == 422 && different.json["error"]?["code"]?.stringValue == "prompt_mismatch")
        #expect(choices.status == 201 && outOfRange.status == 422)
    }

    @Test(arguments: ["not json", "[]", #"{"exchange_id":"x"}"#, #"{"exchange_id":"x","rating":"meh"}"#,
                      #"{"exchange_id":"x","score":-1}"#, #"{"chosen":"a"}"#])
    func invalidBodiesAre400(body: String) async throws {
        let corpus = try AdminTestCorpus()
        let reply = try await corpus.run { try await $0.postJSON("/v1/feedback", body) }
        #expect(reply.status == 400 && reply.json["error"]?["type"]?.stringValue == "invalid_request_error")
    }

    @Test func idempotencyKeyMakesRetriesSafe() async throws {
        let corpus = try AdminTestCorpus()
        let e = corpus.add(prompt: "retry")
        let body = #"{"exchange_id":"\#(e.id)","rating":"up","idempotency_key":"client-123"}"#
        let (first, second) = try await corpus.run { client in
            (try await client.postJSON("/v1/feedback", body), try await client.postJSON("/v1/feedback", body))
        }
        #expect(first.status == 201 && second.status == 201 && first.json["id"] == second.json["id"])
        #expect(try corpus.feedbackRows().count == 1)
    }

    @Test func clientKeysApplyToFeedback() async throws {
        let corpus = try AdminTestCorpus { $0.clientKeys = ["ck-1"] }
        let e = corpus.add(prompt: "keyed")
        let body = #"{"exchange_id":"\#(e.id)","rating":"up"}"#
        let (without, with) = try await corpus.run { client in
            (try await client.postJSON("/v1/feedback", body),
             try await client.postJSON("/v1/feedback", body, headers: [.authorization: "Bearer ck-1"]))
        }
        #expect(without.status == 401 && with.status == 201)
    }
}
