import ChatAPI
import Corpus
import Foundation
import Serving

/// `retort augment`: grows a route's data with new inputs the teacher writes in the style
/// of its logged ones (the survey's expansion), each answered by the teacher and logged
/// as an ordinary exchange tagged ``tag``.
///
/// Examples come from the curated train split only. A new input is kept when it is
/// neither an exact nor a near duplicate (``NearDuplicateIndex``) of the route's logged
/// prompts or of another new one, and when its prompt falls on the train side of the
/// held-out split: so expansion rows never enter a held-out version, and never repeat a
/// held-out prompt. Two budgets stop the job: `count` answered inputs, and
/// `maxTeacherTokens` tokens over every teacher call (the asks for inputs included).
public struct ExpansionJob: Sendable {
    /// The tag every expansion exchange carries.
    public static let tag = "source:expansion"

    /// What to make.
    public struct Settings: Sendable {
        /// The route whose data grows.
        public var route: String
        /// The model name sent upstream.
        public var teacherModel: String
        /// New exchanges to log.
        public var count: Int
        /// Example inputs shown per ask.
        public var examples = 5
        /// New inputs asked for per ask.
        public var perAsk = 10
        /// Most tokens (prompt and completion) spent on teacher calls.
        public var maxTeacherTokens = 200_000
        /// Similarity at which a new input counts as a duplicate.
        public var similarity = 0.8
        /// Seeds the choice of examples.
        public var randomSeed: UInt64 = 1
        /// Asks in a row that add nothing before the job gives up.
        public var maxFruitlessAsks = 5

        /// Settings for `count` new exchanges of `route`.
        public init(route: String, teacherModel: String, count: Int) {
            self.route = route
            self.teacherModel = teacherModel
            self.count = count
        }
    }

    /// How far the job got.
    public struct Report: Sendable, Equatable {
        /// New exchanges answered and logged.
        public var logged = 0
        /// Inputs dropped as duplicates of logged or new prompts.
        public var duplicates = 0
        /// Inputs dropped because their prompt falls on the held-out side.
        public var heldOutSide = 0
        /// Asks whose answer was not `{"inputs": [...]}`.
        public var unusableAsks = 0
        /// Teacher calls made.
        public var teacherCalls = 0
        /// Tokens those calls used.
        public var teacherTokens = 0
        /// Why the job ended: `count`, `token budget`, `no new inputs`.
        public var stoppedBy = ""

        /// The report as JSON.
        public var json: JSONValue {
            .object([("logged", .int(logged)), ("duplicates", .int(duplicates)), ("held_out_side", .int(heldOutSide)),
                     ("unusable_asks", .int(unusableAsks)), ("teacher_calls", .int(teacherCalls)),
                     ("teacher_tokens", .int(teacherTokens)), ("stopped_by", .string(stoppedBy))])
        }
    }

    /// The corpus to read examples and prompts from.
    public let reader: SQLiteCorpus
    /// Where new exchanges are logged.
    public let log: ExchangeLog
    /// The teacher.
    public let teacher: TeacherChat
    /// Recorded as each exchange's teacher URL.
    public let teacherURL: String?
    /// The job.
    public let settings: Settings

    /// A job over `reader` and `log` with `teacher`.
    public init(reader: SQLiteCorpus, log: ExchangeLog, teacher: TeacherChat, teacherURL: String?, settings: Settings) {
        self.reader = reader
        self.log = log
        self.teacher = teacher
        self.teacherURL = teacherURL
        self.settings = settings
    }

    /// Runs until a budget is spent; `progress` sees the report after every ask.
    public func run(progress: (Report) -> Void = { _ in }) async throws -> Report {
        var curation = CurationFilter()
        curation.routes = [settings.route]
        let dataReader = TrainingDataReader(reader: reader, curation: curation)
        let examples = try dataReader.sftExamples()
        guard !examples.isEmpty else { throw ExpansionError.noExamples(route: settings.route) }
        let testPercent = try dataReader.heldOutVersion().testPercent
        var index = NearDuplicateIndex(threshold: settings.similarity)
        let logged = try reader.userPrompts(route: settings.route)
        index.learnTemplate(from: logged)
        for prompt in logged { index.insert(prompt) }
        var random = SplitMix64(seed: settings.randomSeed)
        var report = Report()
        var fruitless = 0
        while report.logged < settings.count {
            guard report.teacherTokens < settings.maxTeacherTokens else { report.stoppedBy = "token budget"; break }
            guard fruitless < settings.maxFruitlessAsks else { report.stoppedBy = "no new inputs"; break }
            let (system, shown) = Self.pickExamples(examples, count: settings.examples, using: &random)
            let ask = ExpansionPrompt.request(model: settings.teacherModel, systemPrompt: system, examples: shown,
                                              count: min(settings.perAsk, settings.count - report.logged))
            let reply = try await call(ask, &report)
            guard let inputs = ExpansionPrompt.inputs(in: reply) else {
                report.unusableAsks += 1
                fruitless += 1
                progress(report)
                continue
            }
            let before = report.logged
            for input in inputs where report.logged < settings.count && report.teacherTokens < settings.maxTeacherTokens {
                guard !index.contains(input) else { report.duplicates += 1; continue }
                index.insert(input)
                let chat = Self.conversation(system: system, input: input, model: settings.teacherModel)
                guard let request = try? ChatRequest(json: chat) else { continue }
                guard !HeldOutVersion.isHeldOut(promptHash: request.promptHash, testPercent: testPercent) else {
                    report.heldOutSide += 1
                    continue
                }
                try await answer(request, &report)
            }
            fruitless = report.logged > before ? 0 : fruitless + 1
            progress(report)
        }
        if report.stoppedBy.isEmpty { report.stoppedBy = "count" }
        return report
    }

    /// K examples sharing one system prompt (that of a randomly chosen example): the
    /// prompt and the examples' last user messages.
    static func pickExamples(_ examples: [TrainingConversation], count: Int,
                             using random: inout SplitMix64) -> (system: String?, inputs: [String]) {
        func system(_ example: TrainingConversation) -> String? {
            example.messages.first { $0.role == "system" || $0.role == "developer" }?.content
        }
        let anchor = examples[Int(random.next() % UInt64(examples.count))]
        let prompt = system(anchor)
        var group = examples.filter { system($0) == prompt }
        group.shuffle(using: &random)
        let inputs = group.prefix(count).compactMap { $0.messages.last { $0.role == "user" }?.content }
        return (prompt, inputs)
    }

    /// The chat request for a new input under the examples' system prompt.
    static func conversation(system: String?, input: String, model: String) -> JSONValue {
        var messages: [JSONValue] = []
        if let system { messages.append(.object([("role", .string("system")), ("content", .string(system))])) }
        messages.append(.object([("role", .string("user")), ("content", .string(input))]))
        return .object([("model", .string(model)), ("messages", .array(messages))])
    }

    /// One teacher call, counted.
    private func call(_ chat: JSONValue, _ report: inout Report) async throws -> JSONValue {
        report.teacherCalls += 1
        let completion = try await teacher.complete(chat)
        report.teacherTokens += CompletionParts(completion: completion).usage.map { $0.input + $0.output } ?? 0
        return completion
    }

    /// Asks the teacher to answer `request` and logs the exchange, tagged.
    private func answer(_ request: ChatRequest, _ report: inout Report) async throws {
        let started = Date()
        let completion = try await call(request.json, &report)
        let parts = CompletionParts(completion: completion)
        var record = ExchangeRecord(id: ExchangeID.make(), createdAt: started.timeIntervalSince1970, route: settings.route,
                                    servedBy: "teacher", status: 200, stream: false, promptHash: request.promptHash,
                                    requestJSON: request.json.setting("model", to: .string(settings.route)).jsonString)
        record.servedReason = "expansion"
        record.teacherURL = teacherURL
        record.upstreamModel = settings.teacherModel
        record.completionID = parts.id
        record.promptTokens = parts.usage?.input
        record.completionTokens = parts.usage?.output
        record.totalTokens = parts.usage.map { $0.input + $0.output }
        record.finishReason = parts.finishReason
        record.tags = [Self.tag]
        record.responseJSON = completion.jsonString
        record.completedAt = Date().timeIntervalSince1970
        record.latencyMs = Date().timeIntervalSince(started) * 1000
        guard await log.commit(record) else { throw ExpansionError.teacherFailed("the exchange log could not write; see /healthz") }
        report.logged += 1
    }
}
