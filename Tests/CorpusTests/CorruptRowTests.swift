import ChatAPI
import Corpus
import Foundation
import Testing

/// Rows whose stored types contradict the schema make the public reads throw a clear
/// error instead of returning a default.
@Suite struct CorruptRowTests {
    @Test func textInAnIntegerColumnMakesTheExchangeReadsThrow() throws {
        let corpus = try CorpusFixture()
        let good = corpus.add(prompt: "fine")
        let bad = corpus.add(prompt: "corrupt")
        try corpus.reader.withDatabase { try $0.execute("UPDATE exchanges SET status = 'two hundred' WHERE id = '\(bad.id)'") }
        #expect(try corpus.reader.exchange(id: good.id)?.status == 200)
        let error = try #require(throws: SQLiteError.self) { try corpus.reader.exchange(id: bad.id) }
        #expect(error.column == "status")
        #expect(error.message == #"column `status` holds TEXT "two hundred", expected INTEGER"#)
        #expect(error.sql?.contains("FROM exchanges") == true)
        let listing = try #require(throws: SQLiteError.self) { try corpus.reader.list(ExchangeFilter()) }
        #expect(listing.column == "status")
        #expect(throws: SQLiteError.self) { try corpus.reader.list(ExchangeFilter(text: "corrupt")) }
    }

    @Test func mistypedRunColumnsMakeTheRunReadsThrow() throws {
        let corpus = try CorpusFixture()
        let store = TrainingStore(reader: corpus.reader)
        let run = try store.createRun(kind: "sft", config: .object([]))
        try corpus.reader.withDatabase { try $0.execute("UPDATE training_runs SET created_at = 'yesterday' WHERE id = '\(run.id)'") }
        let error = try #require(throws: SQLiteError.self) { try store.runs() }
        #expect(error.column == "created_at" && error.message.contains("expected REAL"))
        try corpus.reader.withDatabase { try $0.execute("UPDATE training_runs SET created_at = 5, pid = 'x' WHERE id = '\(run.id)'") }
        #expect(throws: SQLiteError.self) { try store.run(id: run.id) }
        try corpus.reader.withDatabase { try $0.execute("UPDATE training_runs SET pid = NULL WHERE id = '\(run.id)'") }
        #expect(try store.run(id: run.id)?.createdAt == 5)
    }

    @Test func theSQLiteStoresServeEveryRoleThroughTheProtocols() throws {
        let corpus = try CorpusFixture()
        let storage: any CorpusStorage = corpus.reader
        let exchange = corpus.add(prompt: "hello")
        #expect(try storage.exchangeCount() == 1 && storage.detail(id: exchange.id)?.record == exchange)
        let receipt = try storage.feedback.record(FeedbackSubmission(json: JSONValue.parse(#"{"exchange_id":"\#(exchange.id)","rating":"up"}"#)),
                                                  now: Date(timeIntervalSince1970: 10))
        #expect(try storage.feedback.feedback(forExchange: exchange.id).map(\.id) == [receipt.id])
        let event = try storage.serving.save(route: "r", stateJSON: "{}", eventJSON: "{}", at: 1)
        #expect(try storage.serving.latestEventID() == event)
        #expect(try storage.training.nextVersionName() == "s-0001")
        let eligible = HeldOutVersion.isHeldOut(promptHash: exchange.promptHash, testPercent: HeldOutVersion.defaultTestPercent) ? 0 : 1
        #expect(try storage.trainingData(curation: CurationFilter()).eligibleCounts().exchanges == eligible)
        #expect(try storage.latestHeldOut() == nil)
    }
}
