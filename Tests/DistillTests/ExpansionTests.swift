import ChatAPI
import Corpus
import Distill
import Foundation
import Teacher
import TestSupport
import Testing

/// `retort augment`'s job: duplicates found, the teacher's inputs read, and a whole run
/// against a mock teacher: examples only from the train split, duplicates and held-out
/// collisions dropped, every new exchange answered, tagged and kept out of held-out
/// versions, budgets obeyed.
@Suite struct ExpansionTests {
    @Test func nearDuplicatesAreFound() {
        var index = NearDuplicateIndex(threshold: 0.8)
        index.insert("Extract the city: I live in Lisbon.")
        #expect(index.contains("  extract THE city:   i live in lisbon. "))  // exact after normalising
        #expect(index.contains("Extract the city: I live in Lisbon!"))          // one character apart
        #expect(!index.contains("Extract the city: We moved to Reykjavik last May."))
        #expect(!index.contains("What is the capital of Peru?"))
        #expect(index.count == 1)
    }

    @Test func aSharedInstructionIsLeftOutOfTheComparison() {
        // A long instruction, as few-shot task prompts have: it dominates the 3-gram sets.
        let instruction = """
            You read short texts about people and extract three fields. The name is the person's full name as written, \
            with every part; the age is a whole number of years; the city is where the person lives now, not where \
            they were born. If a field is missing, use null. Answer with a JSON object only, with the keys name, age \
            and city in that order, and no other text before or after it.\nText: 
            """
        let logged = ["Maria Lopez, 34, lives in Oslo.", "At 51, Jonas Berg moved to Turin.", "Kyoto resident Aiko Sato turned 28 this year."]
        var plain = NearDuplicateIndex(threshold: 0.8), templated = NearDuplicateIndex(threshold: 0.8)
        templated.learnTemplate(from: logged.map { instruction + $0 })
        for text in logged {
            plain.insert(instruction + text)
            templated.insert(instruction + text)
        }
        let new = instruction + "Name: Pedro Silva. Age: 40. Home town: Lagos."
        #expect(plain.contains(new))           // the instruction dominates the 3-grams
        #expect(!templated.contains(new))      // only the text after it is compared
        #expect(templated.contains(instruction + "maria lopez, 34, lives in oslo."))
    }

    @Test func theTeachersInputsAreRead() throws {
        let completion = try JSONValue.parse(#"{"choices":[{"message":{"role":"assistant","content":"{\"inputs\":[\" a \",\"\",\"b\",3]}"}}]}"#)
        #expect(ExpansionPrompt.inputs(in: completion) == ["a", "b"])
        let prose = try JSONValue.parse(#"{"choices":[{"message":{"role":"assistant","content":"Sure! Here are some."}}]}"#)
        #expect(ExpansionPrompt.inputs(in: prose) == nil)
        let ask = ExpansionPrompt.request(model: "m", systemPrompt: "Extract.", examples: ["x \"y\""], count: 3)
        #expect(ask["response_format"]?["type"]?.stringValue == "json_object")
        #expect(ask["messages"]?.arrayValue?.last?["content"]?.stringValue?.contains(#"1. "x \"y\"""#) == true)
    }

    /// A teacher that writes inputs when asked (two of them copies of logged prompts,
    /// the rest new) and otherwise echoes the user message as the answer.
    static func teacher(asks: Counter) -> @Sendable (MockRequest) -> MockReply {
        { request in
            let body = request.bodyString
            guard body.contains("json_object") else { return MockTeacher.defaultReply(request) }
            asks.increment()
            let round = asks.value
            var inputs = ["Extract the city: I live in Town1.", "extract the city: i live in town2."]
            let names = ["Amara", "Bodhi", "Chiara", "Dmitri", "Esther", "Farid", "Greta", "Hiroshi", "Ines", "Jonas", "Kwame", "Lucia"]
            let cities = ["Oslo", "Lima", "Hanoi", "Accra", "Quito", "Perth", "Turin", "Riga", "Dakar", "Kyoto", "Bergen", "Cusco"]
            let jobs = ["baker", "pilot", "nurse", "welder", "tailor", "chemist"]
            inputs += (0..<6).map { slot in
                let at = (round * 6 + slot) % 144
                return "Extract the city: \(names[at % 12]) from Newplace \(cities[at / 12]) works as a \(jobs[slot]) there since \(1990 + at)."
            }
            let content = JSONValue.object([("inputs", .array(inputs.map(JSONValue.string)))]).jsonString
            return .json(body: MockTeacher.completionJSON(content: content, usage: MockUsage(promptTokens: 100, completionTokens: 60)))
        }
    }

    func job(_ corpus: TrainingCorpus, _ mock: MockTeacher, count: Int, maxTokens: Int = 100_000) -> ExpansionJob {
        var settings = ExpansionJob.Settings(route: "default", teacherModel: "mock-teacher", count: count)
        settings.maxTeacherTokens = maxTokens
        settings.examples = 3
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: mock.baseURL))
        return ExpansionJob(reader: corpus.reader, log: corpus.log, teacher: TeacherChat(client: client, api: .chat),
                            teacherURL: mock.baseURL, settings: settings)
    }

    @Test func aRunLogsNewTaggedExchangesOnTheTrainSideOnly() async throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 40)
        let asks = Counter()
        let mock = try MockTeacher(handler: Self.teacher(asks: asks))
        defer { mock.shutdown() }
        let report = try await job(corpus, mock, count: 10).run()
        #expect(report.logged == 10 && report.stoppedBy == "count")
        #expect(report.duplicates >= 2 * asks.value - 2)  // the two copies of each ask (the last ask may stop early)
        #expect(report.teacherCalls == asks.value + 10)
        // The asks showed only train-split examples, and no held-out prompt came back in.
        let heldOut = try TrainingDataReader(reader: corpus.reader).heldOutVersion()
        let shown = mock.requests.filter { $0.bodyString.contains("json_object") }.map(\.bodyString).joined()
        for index in 0..<40 {
            let prompt = "Extract the city: I live in Town\(index)."
            let messages = JSONValue.array([.object([("role", .string("user")), ("content", .string(prompt))])])
            if HeldOutVersion.isHeldOut(promptHash: SHA256.hex(messages.serialized()), testPercent: heldOut.testPercent) {
                #expect(!shown.contains(prompt), "held-out prompt \(prompt) shown to the teacher")
            }
        }
        var filter = ExchangeFilter(limit: 100)
        filter.tag = ExpansionJob.tag
        let tagged = try corpus.reader.list(filter).items
        #expect(tagged.count == 10)
        #expect(tagged.allSatisfy { $0.promptPreview?.contains("Newplace") == true && $0.servedBy == "teacher" && $0.status == 200 })
        for item in tagged {
            #expect(!HeldOutVersion.isHeldOut(promptHash: item.promptHash, testPercent: heldOut.testPercent))
        }
        // New rows train: the curated train split now has them.
        let examples = try TrainingDataReader(reader: corpus.reader).sftExamples()
        #expect(examples.filter { $0.messages.last?.content.contains("Newplace") == true }.count == 10)
    }

    @Test func theTokenBudgetStopsTheRun() async throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 20)
        let mock = try MockTeacher(handler: Self.teacher(asks: Counter()))
        defer { mock.shutdown() }
        let report = try await job(corpus, mock, count: 50, maxTokens: 200).run()
        #expect(report.stoppedBy == "token budget")
        #expect(report.logged < 50 && report.teacherTokens >= 200)
    }

    @Test func aRouteWithoutDataIsAClearError() async throws {
        let corpus = try TrainingCorpus()
        let mock = try MockTeacher(handler: Self.teacher(asks: Counter()))
        defer { mock.shutdown() }
        await #expect(throws: ExpansionError.noExamples(route: "default")) { try await job(corpus, mock, count: 1).run() }
    }
}
