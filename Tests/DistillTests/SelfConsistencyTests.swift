import ChatAPI
import Corpus
import Distill
import Foundation
import Serving
import Teacher
import TestSupport
import Testing

/// `retort check-consistency`: the teacher asked again; exchanges it answers differently are
/// left out of training and counted.
@Suite struct SelfConsistencyTests {
    /// A teacher that repeats the logged answer of the task (`{"city":"TownN"}`) unless the
    /// text names an odd town, which it answers with another city.
    @Sendable static func teacher(_ request: MockRequest) -> MockReply {
        let text = (request.json?["messages"] as? [[String: Any]])?.last?["content"] as? String ?? ""
        let town = text.components(separatedBy: "Town").last?.trimmingCharacters(in: .punctuationCharacters) ?? ""
        let answer = (Int(town) ?? 0) % 2 == 1 ? #"{"city":"Elsewhere"}"# : #"{"city":"Town\#(town)"}"#
        return .json(body: MockTeacher.completionJSON(content: answer, usage: MockUsage(promptTokens: 10, completionTokens: 5)))
    }

    @Test func disagreeingAnswersAreLeftOutOfTrainingAndCounted() async throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 40)
        let mock = try MockTeacher(handler: Self.teacher)
        defer { mock.shutdown() }
        let before = try TrainingDataReader(reader: corpus.reader).sftExamples()
        var settings = SelfConsistencyJob.Settings(route: "default", teacherModel: "mock-teacher")
        settings.limit = 1000
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: mock.baseURL))
        let job = SelfConsistencyJob(reader: corpus.reader, teacher: TeacherChat(client: client, api: .chat),
                                     settings: settings, agreement: try AgreementJudge())
        let report = try await job.run()
        #expect(report.checked == before.count && report.failed == 0 && report.teacherTokens == 15 * before.count)
        // Every request went out at temperature 0.7, asking the route's teacher model.
        #expect(mock.requests.allSatisfy { $0.json?["temperature"] as? Double == 0.7 && $0.json?["model"] as? String == "mock-teacher" })
        let odd = before.filter { ($0.completion.filter(\.isNumber).last.flatMap { Int(String($0)) } ?? 0) % 2 == 1 }
        #expect(report.disagreed == odd.count && odd.count > 10)

        let (after, removed) = try TrainingDataReader(reader: corpus.reader).curatedSFTExamples()
        #expect(after.count == before.count - odd.count && removed["inconsistent"] == odd.count)
        var everything = TrainingDataReader(reader: corpus.reader)
        everything.curation.requireConsistency = false
        #expect(try everything.sftExamples().count == before.count)
        // A second run has nothing left to check.
        #expect(try await job.run().checked == 0)
    }
}
