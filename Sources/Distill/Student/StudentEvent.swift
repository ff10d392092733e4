import ChatAPI
import Engine
import Foundation

/// What a generation reports as it goes: first `.started` (or `.failed` for a request the
/// model cannot take), then tokens, then `.finished`.
public enum StudentEvent: Sendable {
    /// The prompt was accepted; its length in tokens.
    case started(promptTokens: Int)
    /// One generated piece.
    case token(StudentToken)
    /// The whole answer.
    case finished(StudentResult)
    /// The route's router turned the prompt away after prefill (its ex-ante score).
    case declined(score: Double)
    /// The generation failed (in the client's error shape).
    case failed(OpenAIError)
}

/// One generated token as the serving side sees it: its text, and its log-probabilities
/// when they were asked for. Wraps the engine's token so callers need not know the engine.
public struct StudentToken: Sendable {
    let generated: GeneratedToken

    /// The decoded text (may be empty for a partial UTF-8 sequence held back).
    public var text: String { generated.text }
    /// The token's log-probability, when computed.
    public var logprob: Double? { generated.logprob.map { Double($0.logprob) } }
}

/// A finished generation.
public struct StudentResult: Sendable {
    let generation: GenerationResult
    /// The student's final hidden state after prefill, when a router asked for it. (C)
    var promptState: [Float] = []

    /// The answer's text.
    public var text: String { generation.text }
    /// `stop` or `length`, as OpenAI names them.
    public var finishReason: String { generation.finishReason.rawValue }
    /// Whether the generation was stopped by its caller (the client left).
    public var cancelled: Bool { generation.cancelled }
    /// Prompt length in tokens.
    public var promptTokens: Int { generation.promptTokens }
    /// Answer length in tokens.
    public var completionTokens: Int { generation.completionTokens }
}

/// One generation: the conversation, its options, and a flag the client side sets
/// when it goes away.
struct StudentJob: Sendable {
    let messages: [Engine.ChatMessage]
    let options: GenerationOptions
    let cancellation: CancellationFlag
    /// Scores the prompt after prefill and turns it away below its threshold; nil: no router.
    var router: StudentRouter? = nil

    func run(on model: StudentModel, continuation: AsyncStream<StudentEvent>.Continuation) {
        defer { continuation.finish() }
        guard !cancellation.isCancelled else { return }
        do {
            let prompt = try model.promptTokens(for: messages)
            try options.validate()
            guard prompt.count < model.contextLength else {
                throw EngineError.promptTooLong(promptTokens: prompt.count, contextLength: model.contextLength)
            }
            continuation.yield(.started(promptTokens: prompt.count))
            var promptState: [Float] = []
            var declinedScore: Double?
            let afterPrefill: (([Float]) -> Bool)? = router.map { router in
                { state in
                    promptState = state
                    guard router.fits(promptState: state) else { return true }
                    let score = router.promptScore(state)
                    if score < router.promptThreshold { declinedScore = score }
                    return declinedScore == nil
                }
            }
            let result = try model.generate(promptTokens: prompt, options: options, onToken: { token in
                continuation.yield(.token(StudentToken(generated: token)))
                return !cancellation.isCancelled
            }, afterPrefill: afterPrefill)
            if let declinedScore {
                continuation.yield(.declined(score: declinedScore))
                return
            }
            continuation.yield(.finished(StudentResult(generation: result, promptState: promptState)))
        } catch let error as EngineError {
            continuation.yield(.failed(OpenAIError(engineError: error)))
        } catch {
            continuation.yield(.failed(.internalError("student generation failed: \(error)")))
        }
    }
}

/// A thread-safe one-way flag: set when the client goes away, read by the generation.
public final class CancellationFlag: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = false

    /// A flag not yet set.
    public init() {}

    /// Whether it was set.
    public var isCancelled: Bool { lock.withLock { value } }

    /// Sets it (for good).
    public func cancel() { lock.withLock { value = true } }
}

extension OpenAIError {
    /// The `code` of the failure a student generation ends with when its deadline passes.
    static let studentTimeoutCode = "student_timeout"

    /// Engine errors as the client sees them: bad requests are 400 naming the parameter.
    init(engineError error: EngineError) {
        switch error {
        case let .promptTooLong(promptTokens, contextLength):
            self = .invalidRequest("This model's maximum context length is \(contextLength) tokens. However, your messages resulted in \(promptTokens) tokens.",
                                   param: "messages", code: "context_length_exceeded")
        case let .invalidParameter(parameter, reason):
            self = .invalidRequest("Invalid '\(parameter)': \(reason).", param: parameter, code: "invalid_value")
        case .unsupportedChatTemplate:
            self = .invalidRequest("The student model cannot format this conversation: \(error)", code: "unsupported_chat_template")
        default:
            self = .internalError("student error: \(error)")
        }
    }
}
