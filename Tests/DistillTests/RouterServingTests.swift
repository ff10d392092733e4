import ChatAPI
import Corpus
import Distill
import Foundation
import Serving
import TestSupport
import Testing

/// The learned router in the serving path and in evaluation: a prompt it scores low goes to
/// the teacher after prefill, an answer it scores low is discarded, and evaluation learns a
/// router per route and stores it with the version.
@Suite struct RouterServingTests {
    /// A router that scores every prompt `prompt` and every answer `answer`, gate passed.
    private func router(prompt: Double, answer: Double) -> StudentRouter {
        let curve = CoverageCurve(scores: [0.9, 0.1], studentGood: [true, false])
        let point = CoveragePoint(threshold: 0.5, covered: 1, coverage: 0.5, quality: 1)
        return StudentRouter(prompt: .constant(prompt), promptThreshold: 0.5, answer: .constant(answer), answerThreshold: 0.5,
                             gate: SelectiveGateResult(failures: [], operatingPoint: point), curve: curve,
                             promptAUC: 1, answerAUC: 1)
    }

    private func outcome(with router: StudentRouter, explorationRate: Double = 0,
                         corpus: TrainingCorpus? = nil) async throws -> (ServingOutcome, ServingRuntime) {
        let corpus = try corpus ?? TrainingCorpus()
        let model = try ServingAcknowledger.write()
        defer { try? FileManager.default.removeItem(atPath: model) }
        try ServingStore(reader: corpus.reader).saveRouter(
            version: model, route: "default", routerJSON: String(decoding: try JSONEncoder().encode(router), as: UTF8.self), at: 1)
        let runtime = studentRouteRuntime(model: model, corpus: corpus) { $0.routerExplorationRate = explorationRate }
        #expect(runtime.preloadStudents().isEmpty)
        return (await runtime.plan(greedyRequest, route: "default", tags: []).execute(exchangeID: "e-1"), runtime)
    }

    @Test func aPromptScoredLowGoesToTheTeacherBeforeAnyToken() async throws {
        let (outcome, runtime) = try await outcome(with: router(prompt: 0.1, answer: 0.9))
        guard case .teacher(let reason, _) = outcome else {
            Issue.record("the student answered")
            return
        }
        #expect(reason == "student:router_prompt")
        #expect(runtime.servingTallies()["default"]?.fallbacks.isEmpty == true)  // a routing decision, not a fallback
    }

    @Test func aShareOfDeclinedPromptsIsAnsweredInTheBackgroundForTheRoutersLabels() async throws {
        let corpus = try TrainingCorpus()
        let (outcome, _) = try await outcome(with: router(prompt: 0.1, answer: 0.9), explorationRate: 1, corpus: corpus)
        guard case .teacher(_, let shadow?) = outcome else {
            Issue.record("no background run for a declined prompt")
            return
        }
        var record = ExchangeRecord(id: "e-1", createdAt: 1, route: "default", servedBy: "teacher", status: 200, stream: false,
                                    promptHash: "h", requestJSON: "{}")
        record.responseJSON = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"OK"}}]}"#
        shadow.launch(after: record)
        let store = ServingStore(reader: corpus.reader)
        var answers: [StoredStudentAnswer] = []
        for _ in 0..<200 where answers.isEmpty {
            answers = try store.studentAnswers(route: "default", kind: "router_exploration", limit: 5)
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(answers.count == 1 && answers.first?.judgment == "tie")  // answered without the router, judged
        #expect(try store.shadowJudgments(route: "default", version: answers.first?.version ?? "", since: 0).isEmpty)
    }

    @Test func anAnswerScoredLowIsDiscarded() async throws {
        let (outcome, runtime) = try await outcome(with: router(prompt: 0.9, answer: 0.1))
        guard case .teacher(let reason, _) = outcome else {
            Issue.record("the student answered")
            return
        }
        #expect(reason == "student:router_answer")
        #expect(runtime.servingTallies()["default"]?.fallbacks["router_answer"] == 1)
    }

    @Test func aPromptAndAnswerScoredHighAreServed() async throws {
        let (outcome, _) = try await outcome(with: router(prompt: 0.9, answer: 0.9))
        guard case .student(let reply) = outcome else {
            Issue.record("the teacher answered")
            return
        }
        #expect(reply.result?.text == ServingAcknowledger.answer)
    }

    @Test func evaluationOnARouteLearnsAndStoresARouterAndGatesSelectively() async throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 150)
        let model = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: model) }
        let store = ServingStore(reader: corpus.reader)
        let evaluation = StudentEvaluation(store: store, thresholds: QualityGateThresholds(), defaultMaxTokens: 6)
        let report = try await evaluation.run(candidate: "tiny", modelPath: model, route: "default", limit: nil, threads: 1)
        let router = try #require(report.router)
        #expect(router.curve.sampleCount == report.metrics.sampleCount && report.metrics.sampleCount > 0)
        #expect(!report.passed && report.failureCodes.contains("coverage_below_minimum"))  // noise is never good enough
        #expect(try store.router(version: "tiny", route: "default") != nil)
        #expect(try store.evalResults(version: "tiny", route: "default", limit: 1).first?.passed == false)
    }
}
