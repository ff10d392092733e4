import ChatAPI
import Corpus
import Foundation
import Testing

@Suite struct TrainingStoreTests {
    @Test func runsGoFromQueuedToSucceededOrFailedWithTheirMetrics() throws {
        let corpus = try CorpusFixture()
        let store = TrainingStore(reader: corpus.reader)
        let run = try store.createRun(kind: "sft", config: .object([("epochs", .int(2))]))
        #expect(run.status == .queued && run.config["epochs"]?.intValue == 2)
        try store.startRun(id: run.id, pid: 4242, dataSnapshot: .object([("used", .int(7))]))
        for step in 1...3 { try store.recordMetric(runID: run.id, step: step, values: .object([("loss", .double(3.0 / Double(step)))])) }
        let running = try #require(try store.run(id: run.id))
        #expect(running.status == .running && running.pid == 4242 && running.dataSnapshot?["used"]?.intValue == 7)
        #expect(try store.metrics(runID: run.id).map(\.step) == [1, 2, 3])
        #expect(try store.metrics(runID: run.id, limit: 2).map(\.step) == [1, 3])
        #expect(try store.lastMetric(runID: run.id)?.step == 3)
        #expect(try store.lastMetric(runID: run.id)?.values["loss"]?.doubleValue == 1)
        #expect(try store.lastMetric(runID: "nope") == nil)
        try store.finishRun(id: run.id, metrics: .object([("loss", .double(1))]))
        let other = try store.createRun(kind: "dpo", config: .object([]), baseVersion: "s-0001")
        try store.failRun(id: other.id, error: "out of memory")
        let finished = try store.run(id: run.id)
        #expect(finished?.status == .succeeded && finished?.pid == nil)
        #expect(try store.run(id: other.id)?.error == "out of memory")
        #expect(try store.runs().map(\.id) == [other.id, run.id])
        #expect(try store.runs(status: .failed).map(\.id) == [other.id])
        #expect(TrainingRun.Status.allCases.filter(\.isActive) == [.queued, .running])
        #expect(throws: CorpusError.self) { try store.finishRun(id: "nope", metrics: .null) }
    }

    @Test func studentVersionsAreNumberedAndImmutable() throws {
        let corpus = try CorpusFixture()
        let store = TrainingStore(reader: corpus.reader)
        #expect(try store.nextVersionName() == "s-0001")
        let run = try store.createRun(kind: "sft", config: .object([]))
        let version = StudentVersion(version: "s-0001", runID: run.id, parent: nil, createdAt: 1, directory: "/data/students/s-0001",
                                     files: ["gguf": "model.gguf", "merged": "model.safetensors"], metrics: .object([("loss", .double(0.5))]))
        try store.register(version)
        #expect(try store.nextVersionName() == "s-0002")
        #expect(try store.student(version: "s-0001") == version)
        #expect(version.path(of: "gguf") == "/data/students/s-0001/model.gguf")
        #expect(throws: CorpusError.self) { try store.register(version) }
        #expect(try store.students().count == 1)
    }
}

@Suite struct TrainingDataTests {
    @Test func sftExamplesAreTheCuratedTrainSplitWithoutHeldOutPrompts() throws {
        let corpus = try CorpusFixture()
        let questions = (0..<60).map { corpus.add(prompt: "question \($0)", answers: ["answer \($0)"], system: $0 == 0 ? "Be brief." : nil) }
        corpus.add(prompt: "cut off", finishReason: "length")
        corpus.add(prompt: "failed", status: 502)
        corpus.add(prompt: "by the student", servedBy: "student")
        corpus.add(prompt: "with tools", tools: .array([.object([("type", .string("function"))])]))
        let data = TrainingDataReader(reader: corpus.reader)
        let examples = try data.sftExamples()
        let heldOut = try #require(try corpus.reader.latestHeldOut())
        let heldOutIDs = Set(try corpus.reader.withDatabase { db in
            try db.query("SELECT exchange_id FROM heldout_rows WHERE version = ?", [heldOut.version]).compactMap { $0.first?.string }
        })
        let heldOutQuestions = questions.filter { heldOutIDs.contains($0.id) }.count
        #expect(heldOutQuestions > 0 && heldOutQuestions < 20)
        #expect(examples.count == 60 - heldOutQuestions)
        #expect(examples.allSatisfy { !heldOutIDs.contains($0.exchangeID) })
        #expect(!examples.contains { ["cut off", "failed", "by the student", "with tools"].contains($0.messages.last?.content) })
        let first = try #require(examples.first { $0.messages.last?.content == "question 0" })
        #expect(first.messages.map(\.role) == ["system", "user"] && first.completion == "answer 0")
        let eligible = try data.eligibleCounts().exchanges  // the tools row is curated but not text-only
        #expect(eligible >= examples.count && eligible <= examples.count + 1)
    }

    /// Where the request asked for JSON, an answer that is not JSON is left out of training,
    /// and counted; the same text without the request for JSON stays.
    @Test func answersThatBreakAskedForJSONAreLeftOutAndCounted() throws {
        let corpus = try CorpusFixture()
        let jsonMode: JSONValue = .object([("type", .string("json_object"))])
        let schema: JSONValue = .object([("type", .string("json_schema")),
                                         ("json_schema", .object([("name", .string("x")), ("schema", .object([]))]))])
        for i in 0..<30 {
            corpus.add(prompt: "valid \(i)", answers: [#"{"n": \#(i)}"#], responseFormat: jsonMode)
            corpus.add(prompt: "broken \(i)", answers: [#"{"n": \#(i)"#], responseFormat: i % 2 == 0 ? jsonMode : schema)
            corpus.add(prompt: "plain \(i)", answers: [#"{"n": \#(i)"#])
        }
        let data = TrainingDataReader(reader: corpus.reader)
        let (examples, removed) = try data.curatedSFTExamples()
        let prompts = examples.compactMap { $0.messages.last?.content }
        #expect(!prompts.contains { $0.hasPrefix("broken") })
        #expect(prompts.contains { $0.hasPrefix("valid") } && prompts.contains { $0.hasPrefix("plain") })
        let broken = removed["invalid_json"] ?? 0
        #expect(broken > 20 && broken < 30)  // the held-out prompts are not read at all
        var everything = TrainingDataReader(reader: corpus.reader)
        everything.curation.requireValidJSON = false
        #expect(try everything.sftExamples().count == examples.count + broken)
    }

    @Test func pairsAreTheTrainSplitsWithTheirProvenance() throws {
        let corpus = try CorpusFixture()
        var records: [ExchangeRecord] = []
        for i in 0..<30 { records.append(corpus.add(prompt: "extract \(i)", answers: ["wrong \(i)"])) }
        var chosen: [String: ExchangeRecord] = [:]
        for record in records {
            let prompt = try #require(JSONValue.parse(record.requestJSON)["messages"]?.arrayValue?.last?["content"]?.stringValue)
            chosen[record.id] = corpus.add(prompt: prompt, answers: ["right"])
            try corpus.feedback(#"{"chosen":"\#(chosen[record.id]!.id)","rejected":"\#(record.id)"}"#)
        }
        let data = TrainingDataReader(reader: corpus.reader)
        let pairs = try data.preferencePairs()
        #expect(try data.eligibleCounts().pairs == pairs.count)
        let heldOut = try #require(try corpus.reader.latestHeldOut())
        #expect(!pairs.isEmpty && pairs.count <= 30)
        for pair in pairs {
            #expect(pair.source == "pairwise" && !pair.feedbackID.isEmpty)
            #expect(pair.conversation.completion == "right" && pair.rejected.hasPrefix("wrong"))
            #expect(chosen[pair.rejectedExchangeID]?.id == pair.chosenExchangeID)
            #expect(!HeldOutVersion.isHeldOut(promptHash: records.first { $0.id == pair.rejectedExchangeID }?.promptHash ?? "",
                                              testPercent: heldOut.testPercent))
        }
    }

    /// A judged loss pairs the teacher's answer (chosen) with the student's (rejected), a
    /// judged win the reverse; both read back for DPO and export with provenance `ai_feedback`,
    /// and one exchange gives at most one such pair.
    @Test func judgedStudentAnswersBecomeAIFeedbackPairs() throws {
        let corpus = try CorpusFixture()
        let store = ServingStore(reader: corpus.reader)
        let student = #"{"role":"assistant","content":"the student's answer"}"#
        var won: Set<String> = []
        for i in 0..<30 {
            let record = corpus.add(prompt: "judge \(i)", answers: ["the teacher's answer \(i)"])
            if i % 3 == 0 { won.insert(record.id) }
            #expect(try store.recordJudgedPair(exchangeID: record.id, studentMessage: student, studentWon: i % 3 == 0, at: 1))
            #expect(try !store.recordJudgedPair(exchangeID: record.id, studentMessage: student, studentWon: true, at: 2))
        }
        #expect(try !store.recordJudgedPair(exchangeID: "no-such-exchange", studentMessage: student, studentWon: false, at: 1))
        let pairs = try TrainingDataReader(reader: corpus.reader).preferencePairs()
        #expect(pairs.count > 20 && pairs.count < 30)  // the held-out prompts' pairs are not trained on
        for pair in pairs {
            #expect(pair.source == "ai_feedback" && pair.feedbackID == "ai_feedback:" + pair.chosenExchangeID)
            #expect(pair.chosenExchangeID == pair.rejectedExchangeID)
            let (winner, loser) = won.contains(pair.chosenExchangeID)
                ? (pair.conversation.completion, pair.rejected) : (pair.rejected, pair.conversation.completion)
            #expect(winner == "the student's answer" && loser.hasPrefix("the teacher's answer"))
        }
        let cursor = try ExportCursor(path: corpus.path, request: ExportRequest(format: .trlDPO))
        var lines = 0
        while let line = try cursor.nextLine() {
            lines += 1
            #expect(line.jsonString.contains("the student's answer"))
        }
        #expect(lines == 30)
    }
}
