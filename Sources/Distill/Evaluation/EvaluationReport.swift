import ChatAPI
import Foundation
import Serving

/// What `retort eval` found.
public struct EvaluationReport: Sendable {
    /// The student version or GGUF path.
    public var candidate: String
    /// The route scored; nil: every route.
    public var route: String?
    /// The held-out split version.
    public var splitVersion: Int
    /// The scores over every row.
    public var metrics: EvalMetrics
    /// The averages' gate (``QualityGate``).
    public var gate: GateResult
    /// The router learned on the route's rows, with its selective gate; nil without a route.
    public var router: StudentRouter?
    /// Held-out rows that could not be read (no request or no teacher answer).
    public var skippedRows: Int
    /// Rows whose generation failed (scored as misses): `exchange id: error`.
    public var generationErrors: [String] = []

    /// Whether the version passes: on a route, the selective gate (enough coverage within the
    /// quality target); over every route, the averages' gate.
    public var passed: Bool { router?.gate.passed ?? gate.passed }

    /// The failure codes of the gate that decides.
    public var failureCodes: [String] {
        router.map { $0.gate.failures.map(\.code) } ?? gate.failures.map(\.code)
    }

    /// The report as stored in `eval_results.metrics` and shown by the admin API.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("samples", .int(metrics.sampleCount)), ("exact_match", .double(metrics.exactMatch)),
            ("token_f1", .double(metrics.tokenF1)), ("json_samples", .int(metrics.jsonSampleCount)),
            ("json_validity", metrics.jsonValidity.map(JSONValue.double) ?? .null),
            ("teacher_json_validity", metrics.teacherJSONValidity.map(JSONValue.double) ?? .null),
            ("skipped_rows", .int(skippedRows)), ("generation_errors", .int(generationErrors.count)),
            ("passed", .bool(passed)), ("failures", .array(failureCodes.map(JSONValue.string))),
            ("average_gate", .object([("passed", .bool(gate.passed)), ("failures", .array(gate.failures.map { .string($0.code) }))])),
        ]
        if let judged = metrics.judged {
            members.append(("judged", .object([("wins", .int(judged.wins)), ("ties", .int(judged.ties)), ("losses", .int(judged.losses)),
                                               ("win_rate", judged.winRate.map(JSONValue.double) ?? .null),
                                               ("win_rate_lower_bound", judged.winRateLowerBound.map(JSONValue.double) ?? .null)])))
        }
        if let router { members.append(("router", router.summary)) }
        return .object(members)
    }
}

extension StudentRouter {
    /// The router as stored in `routers.router`.
    func jsonText() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    /// What the admin API and the dashboard show: the operating point, the AUCs, the
    /// coverage/quality curve (at most 50 points) and each task's coverage and quality.
    public var summary: JSONValue {
        let point = gate.operatingPoint
        let step = max(1, curve.points.count / 50)
        let points = stride(from: 0, to: curve.points.count, by: step).map { curve.points[$0] }
        func number(_ value: Double?) -> JSONValue { value.flatMap { $0.isFinite ? JSONValue.double($0) : nil } ?? .null }
        return .object([
            ("passed", .bool(gate.passed)), ("failures", .array(gate.failures.map { .string($0.code) })),
            ("samples", .int(curve.sampleCount)), ("coverage", .double(point.coverage)),
            ("quality", .double(point.quality)), ("quality_loss", .double(point.qualityLoss)),
            ("prompt_threshold", number(promptThreshold)), ("answer_threshold", number(answerThreshold)),
            ("prompt_auc", number(promptAUC)), ("answer_auc", number(answerAUC)),
            ("curve", .array(points.map { .array([.double($0.coverage), .double($0.quality)]) })),
            ("tasks", .array((tasks ?? []).map {
                .object([("task", .string($0.task)), ("samples", .int($0.samples)), ("covered", .int($0.covered)),
                         ("coverage", .double($0.coverage)), ("quality", .double($0.quality))])
            })),
        ])
    }
}
