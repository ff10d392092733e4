import Serving

/// What one held-out (or shadow) request tells the router: the student's view of the prompt,
/// its answer's token log-probabilities, and whether the answer was good enough.
public struct RoutingObservation: Sendable {
    /// The student's final hidden state at the last prompt position, after prefill. (C)
    public var promptState: [Float]
    /// The answer's token log-probabilities, in order.
    public var answerLogprobs: [Double]
    /// Whether the answer agreed with the teacher's (``AgreementJudge/agrees(student:teacher:wantsJSON:match:)``
    /// by the route's ``AnswerMatch``).
    public var good: Bool
    /// The request's task inside the route (``TaskKey``), for the per-task report.
    public var task: String

    /// An observation.
    public init(promptState: [Float], answerLogprobs: [Double], good: Bool, task: String = "") {
        self.promptState = promptState
        self.answerLogprobs = answerLogprobs
        self.good = good
        self.task = task
    }

    /// The post-hoc router's features: the prompt state and the answer's statistics.
    var answerFeatures: [Float] { Self.answerFeatures(promptState: promptState, logprobs: answerLogprobs) }

    /// The post-hoc features of an answer with `logprobs` to a prompt in `promptState`.
    static func answerFeatures(promptState: [Float], logprobs: [Double]) -> [Float] {
        promptState + RoutingFeatures.answerStatistics(logprobs: logprobs)
    }
}

/// The router learned for one student version on one route: two logistic models over what
/// the student computes anyway, each with a threshold.
///
/// - The prompt model scores the student's hidden state after prefill (ex-ante): a prompt
///   below ``promptThreshold`` goes to the teacher before a token is generated. Its threshold
///   is set low, to give up at most ``promptRecallLoss`` of the prompts the student answers
///   well: it only takes away what the student was never going to answer.
/// - The answer model adds the answer's token statistics (post-hoc): an answer below
///   ``answerThreshold`` is discarded before the response head goes out. Its threshold is
///   calibrated on out-of-fold scores of the held-out split to the largest coverage whose
///   served mix (student where routed, teacher elsewhere) stays within the quality target
///   (RouteLLM-style; distillation.md §12 item 6).
///
/// Both thresholds sit midway in the gap of scores that gives the chosen calibration result
/// (``CoverageCurve/marginThreshold(at:)``), not on the edge sample: serving scores come from
/// the model fitted to all rows, a little off the out-of-fold scores the gap was measured on.
public struct StudentRouter: Sendable, Codable {
    /// The ex-ante model.
    public var prompt: RouterModel
    /// Ex-ante scores below this go to the teacher.
    public var promptThreshold: Double
    /// The post-hoc model.
    public var answer: RouterModel
    /// Post-hoc scores below this go to the teacher.
    public var answerThreshold: Double
    /// The selective gate's verdict at the calibrated thresholds.
    public var gate: SelectiveGateResult
    /// The coverage/quality curve of the two rules together, on out-of-fold scores.
    public var curve: CoverageCurve
    /// ROC AUC of the ex-ante and post-hoc models on out-of-fold scores.
    public var promptAUC: Double?, answerAUC: Double?
    /// Coverage and quality of each task of the route at the thresholds (nil: a router
    /// stored before tasks were reported).
    public var tasks: [TaskCoverage]?

    /// Share of well-answered prompts the ex-ante rule may give up to the teacher.
    public static let promptRecallLoss = 0.02
    /// L2 strength of both models (λ of ``RouterObjective``): strong, since the held-out split
    /// has far fewer rows than the hidden state has dimensions.
    public static let l2 = 1.0
    /// Probabilities are at most 1: an answer threshold of 2 serves nothing (the curve found no
    /// threshold within the quality target).
    static let servesNothing = 2.0

    /// Whether this router was learned on hidden states of `promptState`'s size (a router is
    /// stored per version, but a model file named by path can change under it).
    public func fits(promptState: [Float]) -> Bool {
        prompt.dimension == promptState.count || prompt.constantProbability != nil
    }

    /// A router from its parts (``learn(from:thresholds:seed:)`` makes one from observations).
    public init(prompt: RouterModel, promptThreshold: Double, answer: RouterModel, answerThreshold: Double,
                gate: SelectiveGateResult, curve: CoverageCurve, promptAUC: Double?, answerAUC: Double?) {
        self.prompt = prompt
        self.promptThreshold = promptThreshold
        self.answer = answer
        self.answerThreshold = answerThreshold
        self.gate = gate
        self.curve = curve
        self.promptAUC = promptAUC
        self.answerAUC = answerAUC
    }

    /// The ex-ante score of a prompt.
    public func promptScore(_ promptState: [Float]) -> Double { prompt.probability(promptState) }

    /// The post-hoc score of an answer to a prompt.
    public func answerScore(promptState: [Float], logprobs: [Double]) -> Double {
        answer.probability(RoutingObservation.answerFeatures(promptState: promptState, logprobs: logprobs))
    }

    /// Whether the post-hoc rule turns away `logprobs`, an answer to a prompt in `promptState`
    /// (never when the router does not fit the model's hidden-state size).
    public func declinesAnswer(promptState: [Float], logprobs: [Double]) -> Bool {
        fits(promptState: promptState) && answerScore(promptState: promptState, logprobs: logprobs) < answerThreshold
    }

    /// Learns the router from `observations` and calibrates both thresholds against `thresholds`.
    public static func learn(from observations: [RoutingObservation], thresholds: SelectiveGateThresholds,
                             seed: UInt64 = 0) -> StudentRouter {
        let labels = observations.map(\.good)
        let prompts = RouterCalibration.crossFit(samples: observations.map(\.promptState), labels: labels,
                                                 seed: seed, l2: l2, iterations: 50)
        let answers = RouterCalibration.crossFit(samples: observations.map(\.answerFeatures), labels: labels,
                                                 seed: seed &+ 1, l2: l2, iterations: 50)
        let promptThreshold = recallThreshold(scores: prompts.outOfFold, labels: labels, maximumLoss: promptRecallLoss)
        // The two rules together: a prompt the ex-ante rule turns away is never served.
        let combined = zip(prompts.outOfFold, answers.outOfFold).map { $0 >= promptThreshold ? $1 : -1 }
        let curve = CoverageCurve(scores: combined, studentGood: labels)
        let gate = SelectiveGate(thresholds: thresholds).evaluate(curve)
        let answerThreshold = min(curve.marginThreshold(at: gate.operatingPoint), servesNothing)
        var router = StudentRouter(prompt: prompts.model, promptThreshold: promptThreshold, answer: answers.model,
                                   answerThreshold: answerThreshold, gate: gate, curve: curve,
                                   promptAUC: CoverageCurve(scores: prompts.outOfFold, studentGood: labels).auc,
                                   answerAUC: CoverageCurve(scores: answers.outOfFold, studentGood: labels).auc)
        router.tasks = TaskCoverage.byTask(tasks: observations.map(\.task), served: combined.map { $0 >= answerThreshold },
                                           good: labels)
        return router
    }

    /// A threshold that keeps all but `maximumLoss` of the good samples at or above it: midway
    /// between the lowest good score kept and the next lower score of any sample (floored at
    /// 0), the widest margin that keeps the same samples (0 when there are no good samples:
    /// nothing is turned away).
    static func recallThreshold(scores: [Double], labels: [Bool], maximumLoss: Double) -> Double {
        let good = zip(scores, labels).filter(\.1).map(\.0).sorted()
        guard !good.isEmpty else { return 0 }
        let allowed = Int((Double(good.count) * maximumLoss).rounded(.down))
        let kept = good[min(allowed, good.count - 1)]
        let below = scores.filter { $0 < kept }.max() ?? 0
        return (kept + max(below, 0)) / 2
    }
}

/// One task's share of a route's held-out rows the router sends to the student, and the
/// quality of the mix served (student where routed, teacher elsewhere; the teacher counts 1).
public struct TaskCoverage: Sendable, Codable, Equatable {
    /// The task key (``TaskKey``).
    public var task: String
    /// Held-out rows of the task.
    public var samples: Int
    /// Of those, the rows the router sends to the student.
    public var covered: Int
    /// `covered / samples`.
    public var coverage: Double
    /// (rows served well by the student + rows left to the teacher) / samples.
    public var quality: Double

    /// One entry per task, by descending row count, from parallel arrays over the rows.
    static func byTask(tasks: [String], served: [Bool], good: [Bool]) -> [TaskCoverage] {
        var rows: [String: (samples: Int, covered: Int, delivered: Int)] = [:]
        for (index, task) in tasks.enumerated() {
            var entry = rows[task] ?? (0, 0, 0)
            entry.samples += 1
            if served[index] { entry.covered += 1 }
            if !served[index] || good[index] { entry.delivered += 1 }
            rows[task] = entry
        }
        return rows.map { task, row in
            TaskCoverage(task: task, samples: row.samples, covered: row.covered,
                         coverage: Double(row.covered) / Double(row.samples), quality: Double(row.delivered) / Double(row.samples))
        }.sorted { ($0.samples, $1.task) > ($1.samples, $0.task) }
    }
}
