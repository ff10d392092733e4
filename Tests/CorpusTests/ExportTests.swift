import ChatAPI
import Corpus
import Foundation
import Testing

@Suite struct ExportTests {
    /// A corpus with every kind of row an export must handle.
    func populated() throws -> CorpusFixture {
        let corpus = try CorpusFixture()
        for i in 0..<80 { corpus.add(prompt: "question number \(i)", answers: ["answer \(i)"], system: i % 3 == 0 ? "Be brief." : nil) }
        corpus.add(prompt: "question number 1", answers: ["a newer answer 1"])           // duplicate prompt
        corpus.add(prompt: "broken", status: 502)
        corpus.add(prompt: "cut off", finishReason: "length")
        corpus.add(prompt: "by the student", servedBy: "student")
        let weather: JSONValue = try JSONValue.parse(#"[{"type":"function","function":{"name":"weather","parameters":{"type":"object"}}}]"#)
        corpus.add(prompt: "weather in Oslo?", answers: ["Cold."], tools: weather)
        let down = corpus.add(prompt: "rate me", answers: ["bad answer"])
        let up = corpus.add(prompt: "rate me", answers: ["good answer"])
        try corpus.feedback(#"{"exchange_id":"\#(down.id)","rating":"down"}"#)
        try corpus.feedback(#"{"exchange_id":"\#(up.id)","rating":"up"}"#)
        let edited = corpus.add(prompt: "edit me", answers: ["original"])
        try corpus.feedback(#"{"exchange_id":"\#(edited.id)","demonstration":{"role":"assistant","content":"edited"}}"#)
        let n2 = corpus.add(prompt: "two choices", answers: ["first", "second"])
        try corpus.feedback(#"{"exchange_id":"\#(n2.id)","chosen_index":1,"rejected_index":0}"#)
        let x = corpus.add(prompt: "pick one", answers: ["x"]), y = corpus.add(prompt: "pick one", answers: ["y"])
        try corpus.feedback(#"{"chosen":"\#(y.id)","rejected":"\#(x.id)"}"#)
        return corpus
    }

    func export(_ corpus: CorpusFixture, _ request: ExportRequest) throws -> [JSONValue] {
        let cursor = try ExportCursor(path: corpus.path, request: request)
        var bytes: [UInt8] = []
        while let chunk = try cursor.nextChunk(maxBytes: 512) { bytes += chunk }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.isEmpty || text.hasSuffix("\n"))
        #expect(!text.contains("sk-secret"))
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test(arguments: ExportFormat.allCases)
    func everyLineMatchesItsFormat(format: ExportFormat) throws {
        let corpus = try populated()
        for split in [nil, DatasetSplit.train, .test] {
            let lines = try export(corpus, ExportRequest(format: format, split: split))
            if split != .test { #expect(!lines.isEmpty, "\(format) \(String(describing: split)) exported nothing") }
            for line in lines {
                let problems = ExportSchema.problems(line, format: format)
                #expect(problems.isEmpty, "\(format): \(problems) in \(line.jsonString)")
            }
        }
    }

    @Test func sftCurationFiltersDeduplicatesAndUsesDemonstrations() throws {
        let corpus = try populated()
        let lines = try export(corpus, ExportRequest(format: .trlSFT))
        let answers = lines.compactMap { $0["completion"]?.arrayValue?.first?["content"]?.stringValue }
        #expect(answers.contains("a newer answer 1") && !answers.contains("answer 1"))
        #expect(!answers.contains("bad answer") && answers.contains("good answer"))
        #expect(answers.contains("edited") && !answers.contains("original"))
        #expect(lines.allSatisfy { $0["prompt"]?.arrayValue?.last?["content"]?.stringValue != "broken" })
        #expect(!lines.contains { $0["prompt"]?.arrayValue?.last?["content"]?.stringValue == "cut off" })
        #expect(!lines.contains { $0["prompt"]?.arrayValue?.last?["content"]?.stringValue == "by the student" })
        // 80 questions + weather + rate me + edit me + two choices + pick one
        #expect(lines.count == 85)
        #expect(lines.contains { $0["tools"] != nil })
    }

    @Test func dpoPairsFromEverySource() throws {
        let corpus = try populated()
        let lines = try export(corpus, ExportRequest(format: .trlDPO))
        let pairs = Set(lines.compactMap { line -> String? in
            guard let c = line["chosen"]?.arrayValue?.first?["content"]?.stringValue,
                  let r = line["rejected"]?.arrayValue?.first?["content"]?.stringValue else { return nil }
            return "\(c)>\(r)"
        })
        #expect(pairs == ["good answer>bad answer", "edited>original", "second>first", "y>x"])
    }

    @Test func splitsAreDisjointDeterministicAndFrozen() throws {
        let corpus = try populated()
        func prompts(_ split: DatasetSplit?) throws -> Set<String> {
            Set(try export(corpus, ExportRequest(format: .openAISFT, split: split)).map { $0["messages"]!.jsonString })
        }
        let all = try prompts(nil), test = try prompts(.test), train = try prompts(.train)
        #expect(!test.isEmpty && !train.isEmpty)
        #expect(train.isDisjoint(with: test) && train.union(test) == all)
        let version = try #require(try corpus.reader.latestHeldOut())
        #expect(version.version == 1 && version.rowCount == test.count)
        for i in 0..<200 { corpus.add(prompt: "later question \(i)") }
        #expect(try prompts(.test) == test)
        #expect(try prompts(.train).isDisjoint(with: test))
        let next = try corpus.reader.freezeHeldOut()
        #expect(next.version == 2 && next.rowCount > version.rowCount)
        #expect(throws: CorpusError.self) { _ = try ExportCursor(path: corpus.path, request: ExportRequest(format: .raw, split: .test, heldOutVersion: 9)) }
    }

    @Test func heldOutAssignmentIsAPureFunctionOfTheHash() {
        let hashes = (0..<10_000).map { SHA256.hex(Array("p\($0)".utf8)) }
        let held = hashes.filter { HeldOutVersion.isHeldOut(promptHash: $0, testPercent: 10) }
        #expect((800...1200).contains(held.count))
        #expect(held == hashes.filter { HeldOutVersion.isHeldOut(promptHash: $0, testPercent: 10) })
    }

    @Test func rawExportKeepsEverythingButSecrets() throws {
        let corpus = try populated()
        let lines = try export(corpus, ExportRequest(format: .raw))
        #expect(try lines.count == corpus.reader.exchangeCount())
        #expect(lines.contains { $0["tags"]?["status"]?.stringValue == "502" })
        #expect(try export(corpus, ExportRequest(format: .raw, limit: 3)).count == 3)
    }
}
