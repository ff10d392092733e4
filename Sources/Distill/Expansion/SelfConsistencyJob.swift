import ChatAPI
import Corpus
import Foundation
import Serving

/// `retort check-consistency ROUTE`: self-consistency curation (the survey's curation with
/// the teacher in the loop). Each curated train-split exchange of the route not checked yet
/// is sent to the teacher again, as logged but at `temperature` > 0 (no seed, one choice,
/// not streamed), and the second answer is compared with the logged one by the route's
/// answer match (JSON: the same value; text: the same answer, or token F1 ≥ the agreement
/// threshold). An exchange whose answers disagree is an answer the teacher itself is unsure
/// of: training leaves it out (``CurationFilter/requireConsistency``) and counts it as
/// `inconsistent` in the run's `curation_removed`.
public struct SelfConsistencyJob: Sendable {
    /// What to check.
    public struct Settings: Sendable {
        /// The route.
        public var route: String
        /// The teacher model asked (the route's `teacher_model`).
        public var teacherModel: String
        /// The sampling temperature of the second answer.
        public var temperature = 0.7
        /// Most exchanges checked in one run.
        public var limit = 200
        /// How answers are compared.
        public var match = AnswerMatch.auto

        /// Settings for `route`, asking `teacherModel`.
        public init(route: String, teacherModel: String) {
            self.route = route
            self.teacherModel = teacherModel
        }
    }

    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// Exchanges the teacher was asked again.
        public var checked = 0
        /// Of those, the ones whose second answer matched.
        public var agreed = 0
        /// Teacher calls that failed (the exchange stays unchecked).
        public var failed = 0
        /// Teacher tokens spent, as its usage reports them.
        public var teacherTokens = 0

        /// Checked exchanges whose answers disagreed.
        public var disagreed: Int { checked - agreed }
    }

    let reader: SQLiteCorpus
    let teacher: TeacherChat
    let settings: Settings
    let agreement: AgreementJudge

    /// A job over `reader`'s corpus asking `teacher`; `agreement` sets the token-F1 threshold.
    public init(reader: SQLiteCorpus, teacher: TeacherChat, settings: Settings, agreement: AgreementJudge) {
        self.reader = reader
        self.teacher = teacher
        self.settings = settings
        self.agreement = agreement
    }

    /// Checks up to `limit` unchecked train-split exchanges of the route, oldest first.
    public func run(progress: (Report) -> Void = { _ in }) async throws -> Report {
        var data = TrainingDataReader(reader: reader)
        data.curation.routes = [settings.route]
        data.curation.requireConsistency = false
        let examples = try data.sftExamples()
        let checked = try reader.checkedForConsistency(examples.map(\.exchangeID))
        var report = Report()
        for example in examples.filter({ !checked.contains($0.exchangeID) }).prefix(settings.limit) {
            guard let record = try reader.exchange(id: example.exchangeID),
                  let logged = try? JSONValue.parse(Array(record.requestJSON.utf8)) else { continue }
            let request = Self.reask(logged, model: settings.teacherModel, temperature: settings.temperature)
            guard let completion = try? await teacher.complete(request),
                  let answer = completion["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else {
                report.failed += 1
                continue
            }
            report.teacherTokens += completion["usage"]?["total_tokens"]?.intValue ?? 0
            let wantsJSON = ResponseFormat.asksForJSON(logged["response_format"]?["type"]?.stringValue)
            let agreed = agreement.agrees(student: answer, teacher: example.completion, wantsJSON: wantsJSON, match: settings.match)
            try reader.recordConsistencyCheck(exchangeID: example.exchangeID, temperature: settings.temperature,
                                              agreed: agreed, answer: answer, at: Date().timeIntervalSince1970)
            report.checked += 1
            if agreed { report.agreed += 1 }
            progress(report)
        }
        return report
    }

    /// The logged request as a second, independent sample: `temperature`, one choice, not
    /// streamed, no seed and no log-probabilities.
    static func reask(_ logged: JSONValue, model: String, temperature: Double) -> JSONValue {
        let dropped: Set<String> = ["seed", "stream", "stream_options", "n", "logprobs", "top_logprobs", "user"]
        let kept = (logged.objectValue ?? []).filter { !dropped.contains($0.key) }
        return JSONValue.object(kept).setting("model", to: .string(model)).setting("temperature", to: .double(temperature))
    }
}
