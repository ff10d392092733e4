import ChatAPI
import Corpus
import Engine
import Foundation
import Serving

/// The quality gate's evaluation (`retort eval`): a candidate's greedy answers to the frozen
/// held-out split, scored against the teacher's (exact match, token F1, JSON validity where
/// JSON was asked for, and optionally the pairwise judge), judged by ``QualityGate`` and
/// stored in `eval_results`.
public struct StudentEvaluation: Sendable {
    /// Where the split, the rows and the results live.
    public let store: any ServingStorage
    /// The gate's thresholds.
    public let thresholds: QualityGateThresholds
    /// Completion budget for rows whose request names none.
    public let defaultMaxTokens: Int
    /// Asks the teacher to compare answers; nil: no judge.
    public let judge: TeacherJudge?

    /// An evaluation.
    public init(store: any ServingStorage, thresholds: QualityGateThresholds, defaultMaxTokens: Int = 256, judge: TeacherJudge? = nil) {
        self.store = store
        self.thresholds = thresholds
        self.defaultMaxTokens = defaultMaxTokens
        self.judge = judge
    }

    /// Scores `candidate` (a student version or a GGUF path), loading its model from `modelPath`.
    ///
    /// - Warning: generates on the calling thread (the engine blocks it per answer); meant for
    ///   `retort eval` and tests, not for a server's request path.
    /// - Parameters:
    ///   - route: only held-out rows of this route (and the result is recorded for it).
    ///   - limit: at most this many rows.
    public func run(candidate: String, modelPath: String, route: String?, limit: Int?,
                    threads: Int = 2, now: Double = SystemWallClock().now()) async throws -> EvaluationReport {
        let model = try StudentModel(path: modelPath, threads: threads)
        let split = try store.heldOutSplit(testPercent: HeldOutVersion.defaultTestPercent)
        let rows = try store.heldOutRows(version: split.version, route: route, limit: limit)
        var accumulator = EvalAccumulator()
        var unanswerable = 0
        var generationErrors: [String] = []
        for row in rows {
            guard let request = try? ChatRequest(json: JSONValue.parse(Array(row.requestJSON.utf8))),
                  let reference = ShadowRun.answerText(row.responseJSON)
            else { unanswerable += 1; continue }
            // A generation that fails scores as a miss (the gate must not pass on answers it
            // never saw) and is reported with the exchange it failed on.
            let answer: String
            do { answer = try generate(model, request) } catch {
                generationErrors.append("\(row.exchangeID): \(error)")
                answer = ""
            }
            let judgment = await judge?.judge(request, student: answer, teacher: reference)
            accumulator.add(student: answer, teacher: reference, wantsJSON: request.wantsJSON, judgment: judgment)
        }
        let metrics = accumulator.metrics
        let gate = QualityGate(thresholds: thresholds).evaluate(metrics)
        let report = EvaluationReport(candidate: candidate, route: route, splitVersion: split.version, metrics: metrics,
                                      gate: gate, skippedRows: unanswerable, generationErrors: generationErrors)
        try store.recordEvalResult(StoredEvalResult(version: candidate, route: route, splitVersion: split.version,
                                                    createdAt: now, passed: gate.passed, metricsJSON: report.json.jsonString))
        return report
    }

    /// The greedy answer (temperature 0) with the request's stop sequences and budget.
    private func generate(_ model: StudentModel, _ request: ChatRequest) throws -> String {
        let options = GenerationOptions(temperature: 0, maxTokens: request.maxTokens ?? defaultMaxTokens, stop: request.stop)
        return try model.generate(messages: request.engineMessages, options: options).text
    }
}

/// What `retort eval` found.
public struct EvaluationReport: Sendable {
    /// The student version or GGUF path.
    public var candidate: String
    /// The route scored; nil: every route.
    public var route: String?
    /// The held-out split version.
    public var splitVersion: Int
    /// The scores.
    public var metrics: EvalMetrics
    /// The gate's verdict.
    public var gate: GateResult
    /// Held-out rows that could not be read (no request or no teacher answer).
    public var skippedRows: Int
    /// Rows whose generation failed (scored as misses): `exchange id: error`.
    public var generationErrors: [String] = []

    /// The report as stored in `eval_results.metrics` and shown by the admin API.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("samples", .int(metrics.sampleCount)), ("exact_match", .double(metrics.exactMatch)),
            ("token_f1", .double(metrics.tokenF1)), ("json_samples", .int(metrics.jsonSampleCount)),
            ("json_validity", metrics.jsonValidity.map(JSONValue.double) ?? .null),
            ("teacher_json_validity", metrics.teacherJSONValidity.map(JSONValue.double) ?? .null),
            ("skipped_rows", .int(skippedRows)), ("generation_errors", .int(generationErrors.count)),
            ("passed", .bool(gate.passed)),
            ("failures", .array(gate.failures.map { .string($0.code) })),
        ]
        if let judged = metrics.judged {
            members.append(("judged", .object([("wins", .int(judged.wins)), ("ties", .int(judged.ties)), ("losses", .int(judged.losses)),
                                               ("win_rate", judged.winRate.map(JSONValue.double) ?? .null),
                                               ("win_rate_lower_bound", judged.winRateLowerBound.map(JSONValue.double) ?? .null)])))
        }
        return .object(members)
    }
}
