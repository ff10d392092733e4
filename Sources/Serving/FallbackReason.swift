/// Why the teacher served a request. Raw values are stable: they label metrics and are stored
/// with each exchange.
///
/// Two families: *policy* reasons (the route's mode or the canary kept the request on the
/// teacher) and *fallbacks* (the student was meant to serve but could not, or its answer
/// failed a check). Only fallbacks count toward the fallback rate; see ``isFallback``.
public enum FallbackReason: String, Sendable, Hashable, Codable, CaseIterable {
    // Policy.
    /// The route is in `teacher` mode.
    case modeTeacher = "mode_teacher"
    /// The route is in `shadow` mode: the teacher answers, the student may run in the background.
    case modeShadow = "mode_shadow"
    /// The route is a canary and this request's key is outside it.
    case notInCanary = "not_in_canary"
    /// Kept on the teacher on purpose, for fresh labels and drift detection.
    case exploration

    // Before the student runs.
    /// The student is not loaded or not available.
    case studentUnavailable = "student_unavailable"
    /// The student's queue is full.
    case overloaded
    /// The request has tools the student does not support.
    case unsupportedTools = "unsupported_tools"
    /// The request has images, audio or other non-text content.
    case unsupportedContent = "unsupported_content"
    /// A parameter the student does not support (`n > 1`, say).
    case unsupportedParameter = "unsupported_parameter"
    /// The prompt, plus room for the answer, exceeds the student's context.
    case contextExceeded = "context_exceeded"

    // While or after the student runs.
    /// The student failed.
    case studentError = "student_error"
    /// The student took too long (total or time to first token).
    case timeout
    /// The student stopped at its token limit (`finish_reason: length`).
    case finishLength = "finish_length"
    /// JSON was asked for and the student's answer is not valid JSON.
    case invalidJSON = "invalid_json"
    /// The student's answer is empty.
    case emptyAnswer = "empty_answer"
    /// A low quantile of the student's token probabilities is under the threshold.
    case lowConfidence = "low_confidence"
    /// The route's learned router scored the prompt below its threshold before generation
    /// (ex-ante: the student was never going to answer it well enough).
    case routerPrompt = "router_prompt"
    /// The route's learned router scored the student's answer below its threshold (post-hoc).
    case routerAnswer = "router_answer"

    /// Whether the student was meant to serve and the teacher took over (counts toward
    /// the fallback rate), as opposed to a policy that kept the request on the teacher.
    public var isFallback: Bool {
        switch self {
        case .modeTeacher, .modeShadow, .notInCanary, .exploration, .routerPrompt: false
        default: true
        }
    }

    /// Whether the student itself is to blame (it ran and failed or answered badly), as
    /// opposed to a request it was never fit for. Only these feed ``RollbackMonitor``.
    public var isStudentFailure: Bool {
        switch self {
        case .studentError, .timeout, .finishLength, .invalidJSON, .emptyAnswer, .lowConfidence, .routerAnswer: true
        default: false
        }
    }
}
