import ArgumentParser
import Corpus
import Distill
import Foundation
import Gateway
import Serving

/// `retort eval VERSION|PATH`: the quality gate. Scores a student on the frozen held-out
/// split (frozen now if none exists), stores the result, prints a table, and exits 0 when
/// the gate passes, 1 when it fails. Thresholds: `serving.gate` in the configuration.
struct EvalCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a student version (or GGUF file) on the held-out split against the quality gate.")

    @OptionGroup var options: ServingOptions

    @Argument(help: "A student version (see `retort students`) or a GGUF path.") var student: String
    @Option(help: "Only held-out rows of this route; a passing result can then promote it.") var route: String?
    @Option(help: "Score at most this many rows.") var limit: Int?
    @Flag(help: "Also ask the teacher to judge each pair of answers (random order, ties allowed).") var judge = false
    @Flag(help: "With --route: put a passing student into shadow on that route now.") var promote = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if promote && route == nil { throw ValidationError("--promote needs --route.") }
    }

    func run() async throws {
        let configuration = try options.config.load()
        let book = try options.openBook()
        let reference: StudentReference
        do { reference = try StudentReference.resolve(student, store: book.store) } catch {
            throw CommandFailure(description: "\(error)")
        }
        var judgeClient: TeacherJudge?
        if judge {
            judgeClient = configuration.teacherJudge(route: route.map { RouteName($0) })
            if judgeClient == nil { throw CommandFailure(description: "--judge needs a teacher (RETORT_TEACHER_URL)") }
        }
        let evaluation = try configuration.studentEvaluation(store: book.store, judge: judgeClient)
        let candidate = reference.name
        let report = try await evaluation.run(candidate: candidate, modelPath: reference.path, route: route, limit: limit,
                                              threads: configuration.student.threads)
        printReport(report, thresholds: configuration.serving.gate,
                    selectiveTarget: configuration.serving.selectiveGate.maxQualityLoss)
        if promote, let route, report.passed {
            let event = try book.admit(candidate, route: RouteName(route), gate: GateResult(failures: []))
            if let event { printLine(servingEventLine(event)) }
        }
        if !report.passed { throw ExitCode(1) }
    }

    private func printReport(_ report: EvaluationReport, thresholds: QualityGateThresholds, selectiveTarget: Double) {
        let m = report.metrics
        func rate(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "-" }
        func limit(_ value: Double?) -> String { value.map { String(format: "≥ %.3f", $0) } ?? "not checked" }
        printLine("student \(report.candidate) on held-out split v\(report.splitVersion)" + (report.route.map { ", route \($0)" } ?? ""))
        printLine("METRIC                VALUE    THRESHOLD")
        printLine(padColumn("samples", 21) + " " + padColumn(String(m.sampleCount), 8) + " ≥ \(thresholds.minimumSamples)")
        printLine(padColumn("exact match", 21) + " " + padColumn(rate(m.exactMatch), 8) + " " + limit(thresholds.minimumExactMatch))
        printLine(padColumn("token F1", 21) + " " + padColumn(rate(m.tokenF1), 8) + " " + limit(thresholds.minimumTokenF1))
        printLine(padColumn("JSON validity", 21) + " " + padColumn(rate(m.jsonValidity), 8) + " " + limit(thresholds.minimumJSONValidity)
                  + " (\(m.jsonSampleCount) rows asked for JSON; teacher \(rate(m.teacherJSONValidity)))")
        if let judged = m.judged {
            printLine(padColumn("judged win rate", 21) + " " + padColumn(rate(judged.winRate), 8)
                      + " lower bound \(rate(judged.winRateLowerBound)) ≥ \(rate(0.5 - thresholds.judgeMargin))"
                      + " (\(judged.wins) wins, \(judged.ties) ties, \(judged.losses) losses)")
        }
        if report.skippedRows > 0 { printLine("skipped \(report.skippedRows) unreadable rows") }
        if let first = report.generationErrors.first {
            printLine("\(report.generationErrors.count) generations failed (scored as misses); first: \(first)")
        }
        if let router = report.router {
            let point = router.gate.operatingPoint
            printLine("averages' gate: " + (report.gate.passed ? "passed" : "failed (" + report.gate.failures.map(\.code).joined(separator: ", ") + ")")
                      + "; on a route the selective gate decides")
            printLine("router: \(router.curve.sampleCount) rows, coverage \(rate(point.coverage)) at quality \(rate(point.quality))"
                      + " (loss \(rate(point.qualityLoss)), target ≤ \(rate(selectiveTarget))),"
                      + " AUC prompt \(rate(router.promptAUC)) answer \(rate(router.answerAUC))")
            for task in router.tasks ?? [] {
                printLine("  task \(task.task): \(task.samples) rows, coverage \(rate(task.coverage)) at quality \(rate(task.quality))")
            }
        }
        printLine(report.passed ? "GATE PASSED" : "GATE FAILED: " + report.failureCodes.joined(separator: ", "))
    }
}
