import ChatAPI
import Corpus
import Testing

@Suite struct FeedbackStoreTests {
    @Test func ratingScoreCommentAndRatingColumn() throws {
        let corpus = try CorpusFixture()
        let e = corpus.add(prompt: "2+2?")
        let receipt = try corpus.feedback(#"{"exchange_id":"\#(e.id)","rating":"up","score":0.9,"comment":"good","tags":["t"]}"#)
        #expect(!receipt.replayed)
        let rows = try FeedbackStore(reader: corpus.reader).feedback(forExchange: e.id)
        #expect(rows.count == 1 && rows[0].rating == 1 && rows[0].score == 0.9 && rows[0].comment == "good" && rows[0].tags == #"["t"]"#)
        try corpus.feedback(#"{"completion_id":"\#(e.completionID!)","rating":false}"#)
        #expect(try corpus.reader.detail(id: e.id)?.rating == -1)
    }

    @Test func idempotencyKeyReturnsTheFirstID() throws {
        let corpus = try CorpusFixture()
        let e = corpus.add(prompt: "hi")
        let body = #"{"exchange_id":"\#(e.id)","rating":"up","idempotency_key":"k1"}"#
        let first = try corpus.feedback(body), second = try corpus.feedback(body)
        #expect(first.id == second.id && second.replayed)
        #expect(try FeedbackStore(reader: corpus.reader).feedback(forExchange: e.id).count == 1)
    }

    @Test func unknownTargetIsNotFoundAndWritesNothing() throws {
        let corpus = try CorpusFixture()
        #expect(throws: CorpusError.notFound("No exchange matches `exchange_id`.", parameter: "exchange_id")) {
            try corpus.feedback(#"{"exchange_id":"nope","rating":"up"}"#)
        }
        #expect(try corpus.reader.stats().feedback == 0)
    }

    @Test func pairwiseNeedsTheSamePrompt() throws {
        let corpus = try CorpusFixture()
        let a = corpus.add(prompt: "capital of France?", answers: ["Paris"])
        let b = corpus.add(prompt: "capital of France?", answers: ["Lyon"])
        let c = corpus.add(prompt: "something else")
        let receipt = try corpus.feedback(#"{"chosen":"\#(a.id)","rejected":"\#(b.completionID!)"}"#)
        #expect(receipt.pairsCreated == 1)
        #expect(throws: CorpusError.self) { try corpus.feedback(#"{"chosen":"\#(a.id)","rejected":"\#(c.id)"}"#) }
        do {
            try corpus.feedback(#"{"chosen":"\#(a.id)","rejected":"\#(c.id)"}"#)
        } catch let error as CorpusError {
            guard case .promptMismatch = error else { Issue.record("expected a prompt mismatch, got \(error)"); return }
        }
    }

    @Test func choiceIndicesOfOneExchange() throws {
        let corpus = try CorpusFixture()
        let e = corpus.add(prompt: "name a colour", answers: ["red", "blue"])
        #expect(try corpus.feedback(#"{"exchange_id":"\#(e.id)","chosen_index":1,"rejected_index":0}"#).pairsCreated == 1)
        #expect(throws: CorpusError.unprocessable("The exchange has 2 choice(s); `chosen_index` 2 is out of range.", parameter: "chosen_index")) {
            try corpus.feedback(#"{"exchange_id":"\#(e.id)","chosen_index":2,"rejected_index":0}"#)
        }
    }

    @Test func demonstrationAndOppositeRatingsBecomePairs() throws {
        let corpus = try CorpusFixture()
        let good = corpus.add(prompt: "q", answers: ["good"]), bad = corpus.add(prompt: "q", answers: ["bad"])
        try corpus.feedback(#"{"exchange_id":"\#(bad.id)","demonstration":{"role":"assistant","content":"better"}}"#)
        try corpus.feedback(#"{"exchange_id":"\#(good.id)","rating":"up"}"#)
        #expect(try corpus.feedback(#"{"exchange_id":"\#(bad.id)","rating":"down"}"#).pairsCreated == 1)
        // Re-rating replaces the derived pair rather than duplicating it.
        #expect(try corpus.feedback(#"{"exchange_id":"\#(bad.id)","rating":"down"}"#).pairsCreated == 1)
        let pairs = try corpus.reader.stats().pairsBySource
        #expect(pairs.first { $0.key == "rating" }?.count == 1)
        #expect(pairs.first { $0.key == "demonstration" }?.count == 1)
    }

    @Test(arguments: [
        #"[]"#, #"{}"#, #"{"rating":"up"}"#, #"{"exchange_id":"x","rating":"sideways"}"#,
        #"{"exchange_id":"x","score":1.5}"#, #"{"exchange_id":"x","demonstration":{"role":"user","content":"x"}}"#,
        #"{"exchange_id":"x","chosen_index":0,"rejected_index":0}"#, #"{"chosen":"a"}"#,
        #"{"chosen":"a","rejected":"b","rating":"up"}"#, #"{"exchange_id":"x","completion_id":"y","rating":"up"}"#,
        #"{"exchange_id":"x","tags":[1]}"#, #"{"exchange_id":"x","idempotency_key":""}"#,
    ])
    func invalidBodiesAreRejected(body: String) throws {
        #expect(throws: CorpusError.self) { try FeedbackSubmission(json: JSONValue.parse(body)) }
    }
}
