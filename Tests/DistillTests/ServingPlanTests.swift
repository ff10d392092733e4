import ChatAPI
import Corpus
import Distill
import Foundation
import Serving
import Synchronization
import TestSupport
import Testing

/// Counters kept in memory, to see what the runtime reported.
final class RecordingMetrics: MetricsRecorder {
    private let counters = Mutex<[String: Double]>([:])

    func increment(_ name: String, _ labels: [(String, String)], by value: Double, help text: String) {
        counters.withLock { $0[Self.key(name, labels), default: 0] += value }
    }

    func set(_ name: String, _ labels: [(String, String)], to value: Double, help text: String) {
        counters.withLock { $0[Self.key(name, labels)] = value }
    }

    /// The counter's value (0 when never touched).
    func value(_ name: String, _ labels: [(String, String)]) -> Double {
        counters.withLock { $0[Self.key(name, labels)] ?? 0 }
    }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }
}

/// The per-request plan: it runs the student when the router chooses it, and records its
/// own outcome (tallies, metrics) so the HTTP side only answers.
@Suite struct ServingPlanTests {
    private func runtime(student: String, corpus: TrainingCorpus, metrics: RecordingMetrics) -> ServingRuntime {
        studentRouteRuntime(model: student, corpus: corpus, metrics: metrics)
    }

    private let request = greedyRequest

    @Test func aStudentAnswerIsCheckedAndCountedByThePlan() async throws {
        let corpus = try TrainingCorpus()
        let model = try ServingAcknowledger.write()
        defer { try? FileManager.default.removeItem(atPath: model) }
        let metrics = RecordingMetrics()
        let runtime = runtime(student: model, corpus: corpus, metrics: metrics)
        #expect(runtime.preloadStudents().isEmpty)
        guard case .student(let reply) = await runtime.plan(request, route: "default", tags: []).execute(exchangeID: "e-1") else {
            Issue.record("the student did not answer")
            return
        }
        #expect(reply.result?.text == ServingAcknowledger.answer && reply.servedReason == "student:student")
        #expect(runtime.servingTallies()["default"]?.student == 1)
        #expect(metrics.value("retort_served_total", [("route", "default"), ("served_by", "student"), ("reason", "student")]) == 1)
    }

    @Test func aMissingStudentSendsTheRequestToTheTeacherWithItsReason() async throws {
        let corpus = try TrainingCorpus()
        let metrics = RecordingMetrics()
        let runtime = runtime(student: "s-0404", corpus: corpus, metrics: metrics)
        #expect(runtime.preloadStudents() == ["s-0404"])
        let outcome = await runtime.plan(request, route: "default", tags: []).execute(exchangeID: "e-2")
        guard case .teacher(let reason, let shadow) = outcome else {
            Issue.record("the student answered")
            return
        }
        #expect(reason == "student:student_unavailable" && shadow == nil)
        #expect(runtime.servingTallies()["default"]?.fallbacks["student_unavailable"] == 1)
        #expect(runtime.studentStatus(of: try #require(runtime.state(of: "default")))?.contains("s-0404") == true)
    }

    @Test func operatorErrorsAreCountedNotSwallowed() {
        let metrics = RecordingMetrics()
        let errors = OperatorErrors(metrics: metrics)
        struct Broken: Error {}
        let value: Int? = errors.attempt("rollback", "route default") { throw Broken() }
        #expect(value == nil)
        #expect(metrics.value("retort_distill_errors_total", [("operation", "rollback")]) == 1)
        #expect(errors.attempt("rollback", "route default") { 7 } == 7)
    }
}
