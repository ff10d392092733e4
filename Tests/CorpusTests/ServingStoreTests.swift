import ChatAPI
import Corpus
import Foundation
import Testing

@Suite struct ServingStoreTests {
    @Test func saveReplacesTheStateAndAppendsEvents() throws {
        let corpus = try CorpusFixture()
        let store = ServingStore(reader: corpus.reader)
        #expect(try store.states().isEmpty && store.latestEventID() == 0)
        let first = try store.save(route: "r", stateJSON: #"{"mode":"shadow"}"#, eventJSON: #"{"n":1}"#, at: 10)
        let second = try store.save(route: "r", stateJSON: #"{"mode":"canary"}"#, eventJSON: #"{"n":2}"#, at: 20)
        try store.save(route: "other", stateJSON: #"{"mode":"teacher"}"#, eventJSON: #"{"n":3}"#, at: 30)
        #expect(second > first)
        let states = try store.states()
        #expect(states.map(\.route) == ["other", "r"])
        #expect(states[1].stateJSON == #"{"mode":"canary"}"# && states[1].updatedAt == 20)
        #expect(try store.events(route: "r").map(\.eventJSON) == [#"{"n":2}"#, #"{"n":1}"#])
        #expect(try store.events(limit: 1).map(\.route) == ["other"])
        #expect(try store.latestEventID() == second + 1)
    }

    @Test func studentModelPathJoinsDirectoryAndFile() throws {
        let corpus = try CorpusFixture()
        try corpus.reader.withDatabase { db in
            try db.execute("""
                INSERT INTO students (version, created_at, directory, files) VALUES
                    ('s-0001', 1, '/models/s-0001', '{"gguf":"model.gguf"}'),
                    ('s-0002', 2, '/models/s-0002/', '{"adapter":"a.safetensors"}'),
                    ('s-0003', 3, '/x', 'not json')
                """)
        }
        let store = ServingStore(reader: corpus.reader)
        #expect(try store.studentModelPath(version: "s-0001") == "/models/s-0001/model.gguf")
        #expect(try store.studentModelPath(version: "s-0002") == nil)
        #expect(try store.studentModelPath(version: "s-0003") == nil)
        #expect(try store.studentModelPath(version: "missing") == nil)
    }

    @Test func evalResultsAndStudentAnswersRoundTrip() throws {
        let corpus = try CorpusFixture()
        let store = ServingStore(reader: corpus.reader)
        let result = StoredEvalResult(version: "s-1", route: "r", splitVersion: 2, createdAt: 5, passed: true, metricsJSON: "{}")
        try store.recordEvalResult(result)
        try store.recordEvalResult(StoredEvalResult(version: "s-2", route: nil, splitVersion: nil, createdAt: 6, passed: false, metricsJSON: "{}"))
        #expect(try store.evalResults().map(\.version) == ["s-2", "s-1"])
        #expect(try store.evalResults(version: "s-1") == [result])
        for (id, judgment) in [("a", "tie"), ("b", "tie"), ("c", "loss")] {
            try store.recordStudentAnswer(StoredStudentAnswer(exchangeID: id, route: "r", version: "s-1", kind: "shadow",
                                                              reason: nil, judgment: judgment, createdAt: 100, responseJSON: "{}"))
        }
        try store.recordStudentAnswer(StoredStudentAnswer(exchangeID: "d", route: "r", version: "s-1", kind: "fallback",
                                                          reason: "low_confidence", createdAt: 100, responseJSON: "{}"))
        #expect(try store.shadowJudgments(route: "r", version: "s-1", since: 0) == ["tie": 2, "loss": 1])
        #expect(try store.shadowJudgments(route: "r", version: "s-1", since: 101).isEmpty)
        #expect(try store.studentAnswers(route: "r", kind: "fallback").map(\.reason) == ["low_confidence"])
    }

    @Test func evalResultsOfARouteAreFoundBehindNewerOnesOfOthers() throws {
        let corpus = try CorpusFixture()
        let store = ServingStore(reader: corpus.reader)
        let mine = StoredEvalResult(version: "s-1", route: "mine", splitVersion: 1, createdAt: 1, passed: true, metricsJSON: "{}")
        try store.recordEvalResult(mine)
        for index in 0..<25 {
            try store.recordEvalResult(StoredEvalResult(version: "o-\(index)", route: "other", splitVersion: 1,
                                                        createdAt: Double(2 + index), passed: false, metricsJSON: "{}"))
        }
        #expect(try store.evalResults(route: "mine", limit: 1) == [mine])
        #expect(try store.evalResults(version: "s-1", route: "other").isEmpty)
        #expect(try store.evalResults(route: "other", limit: 30).count == 25)
        #expect(try store.evalResults(limit: 20).allSatisfy { $0.route == "other" })
    }

    @Test func ratingsSayWhoServed() throws {
        let corpus = try CorpusFixture()
        let teacher = corpus.add(prompt: "one")
        let student = corpus.add(prompt: "two", servedBy: "student")
        try corpus.feedback(#"{"exchange_id":"\#(teacher.id)","rating":"up"}"#)
        try corpus.feedback(#"{"exchange_id":"\#(student.id)","rating":"down"}"#)
        let ratings = try ServingStore(reader: corpus.reader).ratings(route: "default", since: 0)
        #expect(Set(ratings.map { "\($0.servedBy):\($0.up)" }) == ["teacher:true", "student:false"])
        #expect(try ServingStore(reader: corpus.reader).ratings(route: "elsewhere", since: 0).isEmpty)
    }

    @Test func heldOutSplitIsFrozenOnceAndReadBack() throws {
        let corpus = try CorpusFixture()
        for index in 0..<200 { corpus.add(prompt: "question \(index)", answers: ["answer \(index)"], tags: ["task:quiz"]) }
        let store = ServingStore(reader: corpus.reader)
        let split = try store.heldOutSplit(testPercent: 20)
        #expect(split.rowCount > 10 && split.rowCount < 80)
        corpus.add(prompt: "later question")
        #expect(try store.heldOutSplit(testPercent: 20).version == split.version)
        let rows = try store.heldOutRows(version: split.version)
        #expect(rows.count == split.rowCount)
        #expect(rows.allSatisfy { $0.requestJSON.contains("question") && $0.responseJSON.contains("answer") && $0.tags == ["task:quiz"] })
        #expect(try store.heldOutRows(version: split.version, limit: 3).count == 3)
        #expect(try store.heldOutRows(version: split.version, route: "nope").isEmpty)
    }
}
