import ChatAPI
import Corpus
import Engine
import Foundation
import Serving

/// The quality gate's evaluation (`retort eval`, and at once after each training run): a
/// candidate's greedy answers to the frozen held-out split, scored against the teacher's
/// (exact match, token F1, JSON validity where JSON was asked for, and optionally the
/// pairwise judge) and stored in `eval_results`.
///
/// On a route, the answers also teach the route's router (``StudentRouter``): each row's
/// prompt state, answer statistics and whether the answer was good enough. The version then
/// passes by the selective gate (coverage at the quality target), not by the averages over
/// the whole mix, which a route carrying requests the student can never answer fails by design.
public struct StudentEvaluation: Sendable {
    /// Where the split, the rows and the results live.
    public let store: any ServingStorage
    /// The gate's thresholds.
    public let thresholds: QualityGateThresholds
    /// The selective gate's thresholds (quality target, coverage, samples).
    public let selective: SelectiveGateThresholds
    /// Whether an answer agrees with the teacher's, for the router's labels.
    public let agreement: AgreementJudge
    /// Each route's rule for that agreement (``AnswerMatch/auto`` for a route not named).
    public let answerMatch: [RouteName: AnswerMatch]
    /// Completion budget for rows whose request names none.
    public let defaultMaxTokens: Int
    /// Asks the teacher to compare answers; nil: no judge.
    public let judge: TeacherJudge?

    /// An evaluation.
    public init(store: any ServingStorage, thresholds: QualityGateThresholds,
                selective: SelectiveGateThresholds = SelectiveGateThresholds(),
                agreement: AgreementJudge = StudentEvaluation.defaultAgreement,
                answerMatch: [RouteName: AnswerMatch] = [:], defaultMaxTokens: Int = 256, judge: TeacherJudge? = nil) {
        self.store = store
        self.thresholds = thresholds
        self.selective = selective
        self.agreement = agreement
        self.answerMatch = answerMatch
        self.defaultMaxTokens = defaultMaxTokens
        self.judge = judge
    }

    /// Token F1 0.8, the documented default of `serving.shadow_agreement_f1`.
    public static let defaultAgreement = try! AgreementJudge()  // 0.8 is in 0...1

    /// Scores `candidate` (a student version or a GGUF path), loading its model from `modelPath`.
    ///
    /// - Warning: generates on the calling thread (the engine blocks it per answer); meant for
    ///   `retort eval`, the training process and tests, not for a server's request path.
    /// - Parameters:
    ///   - route: only held-out rows of this route (the result, and the router learned, are
    ///     recorded for it).
    ///   - limit: at most this many rows.
    public func run(candidate: String, modelPath: String, route: String?, limit: Int?,
                    threads: Int = 2, now: Double = SystemWallClock().now()) async throws -> EvaluationReport {
        try await run(candidate: candidate, model: try StudentModel(path: modelPath, threads: threads), route: route,
                      limit: limit, now: now)
    }

    /// Scores `candidate` with its loaded `model` (see ``run(candidate:modelPath:route:limit:threads:now:)``).
    private func run(candidate: String, model: StudentModel, route: String?, limit: Int?,
                     now: Double) async throws -> EvaluationReport {
        let split = try store.heldOutSplit(testPercent: HeldOutVersion.defaultTestPercent)
        let rows = try store.heldOutRows(version: split.version, route: route, limit: limit)
        var scored = ScoredRows()
        let match = route.flatMap { answerMatch[RouteName($0)] } ?? .auto
        for row in rows { await score(row, model: model, match: match, into: &scored) }
        let router = route.flatMap { _ in scored.observations.isEmpty ? nil
            : StudentRouter.learn(from: scored.observations, thresholds: selective) }
        let metrics = scored.accumulator.metrics
        let report = EvaluationReport(candidate: candidate, route: route, splitVersion: split.version, metrics: metrics,
                                      gate: QualityGate(thresholds: thresholds).evaluate(metrics), router: router,
                                      skippedRows: scored.unanswerable, generationErrors: scored.generationErrors)
        if let route, let router {
            try store.saveRouter(version: candidate, route: route, routerJSON: try router.jsonText(), at: now)
        }
        try store.recordEvalResult(StoredEvalResult(version: candidate, route: route, splitVersion: split.version,
                                                    createdAt: now, passed: report.passed, metricsJSON: report.json.jsonString))
        return report
    }

    /// What the rows gave so far.
    private struct ScoredRows {
        var accumulator = EvalAccumulator()
        var observations: [RoutingObservation] = []
        var unanswerable = 0
        var generationErrors: [String] = []
    }

    /// Answers one held-out row and scores the answer. A generation that fails scores as a
    /// miss (the gate must not pass on answers it never saw) and is reported with its exchange.
    private func score(_ row: HeldOutRow, model: StudentModel, match: AnswerMatch, into scored: inout ScoredRows) async {
        guard let request = try? ChatRequest(json: JSONValue.parse(Array(row.requestJSON.utf8))),
              let reference = ShadowRun.answerText(row.responseJSON)
        else { scored.unanswerable += 1; return }
        var answer = ""
        do {
            let (result, promptState) = try generate(model, request)
            answer = result.text
            let good = result.finishReason == .stop
                && agreement.agrees(student: answer, teacher: reference, wantsJSON: request.wantsJSON, match: match)
            scored.observations.append(RoutingObservation(
                promptState: promptState, answerLogprobs: result.tokens.compactMap { $0.logprob.map { Double($0.logprob) } },
                good: good, task: TaskKey.of(request, tags: row.tags)))
        } catch {
            scored.generationErrors.append("\(row.exchangeID): \(error)")
        }
        let judgment = await judge?.judge(request, student: answer, teacher: reference)
        scored.accumulator.add(student: answer, teacher: reference, wantsJSON: request.wantsJSON, judgment: judgment)
    }

    /// The greedy answer (temperature 0, with logprobs) with the request's stop sequences and
    /// budget, and the prompt's final hidden state.
    private func generate(_ model: StudentModel, _ request: ChatRequest) throws -> (GenerationResult, [Float]) {
        let options = GenerationOptions(temperature: 0, maxTokens: request.maxTokens ?? defaultMaxTokens, stop: request.stop,
                                        logprobs: true)
        var promptState: [Float] = []
        let result = try model.generate(promptTokens: try model.promptTokens(for: request.engineMessages), options: options,
                                        afterPrefill: { promptState = $0; return true })
        return (result, promptState)
    }
}

extension StudentEvaluation {
    /// Scores a newly registered version on the held-out rows of each route in `routes`
    /// (the gate result the promotion loop admits on), one report per route; a route whose
    /// evaluation fails is reported through `errors` and skipped.
    public func runAfterTraining(version: String, modelPath: String, routes: [RouteName], threads: Int,
                                 errors: OperatorErrors) async -> [EvaluationReport] {
        let model: StudentModel
        do { model = try StudentModel(path: modelPath, threads: threads) } catch {
            errors.report(error, operation: "evaluation", context: "loading \(version) from \(modelPath)")
            return []
        }
        var reports: [EvaluationReport] = []
        for route in routes {  // one load for every route
            do {
                reports.append(try await run(candidate: version, model: model, route: route.rawValue, limit: nil,
                                             now: SystemWallClock().now()))
            } catch {
                errors.report(error, operation: "evaluation", context: "evaluating \(version) on route \(route)")
            }
        }
        return reports
    }
}
