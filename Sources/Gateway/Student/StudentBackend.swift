import ChatAPI
import Engine
import Foundation

/// The local student model behind a bounded queue.
///
/// Loaded once at start-up; a model that fails to load leaves the backend in place
/// with its load error, so student routes answer 503 naming the problem instead of the
/// process dying.
public final class StudentBackend: Sendable {
    /// The loaded model, or the reason it is not available.
    public let model: Result<StudentModel, EngineError>
    /// The model file.
    public let path: String
    /// Settings it was created with.
    let settings: StudentSettings
    let queue: StudentQueue

    /// Loads the model at `settings.model`, with a queue of its own.
    public convenience init(settings: StudentSettings) {
        self.init(settings: settings, queue: StudentQueue(capacity: settings.maxQueue))
    }

    /// Loads the model at `settings.model`; its generations run on `queue`, which
    /// several backends (student versions) may share so that one runs at a time.
    init(settings: StudentSettings, queue: StudentQueue) {
        self.settings = settings
        path = settings.model
        let weights = DecodeWeights(rawValue: settings.decodeWeights) ?? .q8_0
        do {
            model = .success(try StudentModel(path: settings.model, threads: settings.threads, decodeWeights: weights))
        } catch let error as EngineError {
            model = .failure(error)
        } catch {
            model = .failure(.fileUnreadable(path: settings.model, reason: "\(error)"))
        }
        self.queue = queue
    }

    /// Requests waiting or running.
    public var queueDepth: Int { queue.depth }

    /// Starts generating for `job`. Events arrive on the returned stream: first
    /// `.started` (or `.failed` for a request the model cannot take), then tokens,
    /// then `.finished`.
    ///
    /// With a `deadline`, a generation not finished by then ends with `.failed` carrying
    /// the code ``OpenAIError/studentTimeoutCode`` and is cancelled (also while still queued).
    /// - Throws: ``OpenAIError`` 503 when the queue is full or the model is not loaded.
    func start(_ job: StudentJob, deadline: Duration? = nil) throws(OpenAIError) -> AsyncStream<StudentEvent> {
        let model: StudentModel
        switch self.model {
        case .success(let loaded): model = loaded
        case .failure(let error): throw OpenAIError.overloaded("The student model is not available: \(error)")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: StudentEvent.self)
        let accepted = queue.submit { job.run(on: model, continuation: continuation) }
        guard accepted else {
            throw OpenAIError.overloaded("The student is busy (\(settings.maxQueue) requests waiting); retry shortly.")
        }
        if let deadline {
            let timer = Task {
                try await Task.sleep(for: deadline)
                job.cancellation.cancel()
                continuation.yield(.failed(OpenAIError(status: 504, message: "The student did not answer in time.",
                                                       type: "api_error", code: OpenAIError.studentTimeoutCode)))
                continuation.finish()
            }
            continuation.onTermination = { _ in timer.cancel() }
        }
        return stream
    }
}

/// What a generation reports as it goes.
enum StudentEvent: Sendable {
    case started(promptTokens: Int)
    case token(GeneratedToken)
    case finished(GenerationResult)
    case failed(OpenAIError)
}

/// One generation: the conversation, its options, and a flag the client side sets
/// when it goes away.
struct StudentJob: Sendable {
    let messages: [Engine.ChatMessage]
    let options: GenerationOptions
    let cancellation: CancellationFlag

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
            let result = try model.generate(promptTokens: prompt, options: options) { token in
                continuation.yield(.token(token))
                return !cancellation.isCancelled
            }
            continuation.yield(.finished(result))
        } catch let error as EngineError {
            continuation.yield(.failed(OpenAIError(engineError: error)))
        } catch {
            continuation.yield(.failed(.internalError("student generation failed: \(error)")))
        }
    }
}

/// A thread-safe one-way flag.
final class CancellationFlag: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = false
    var isCancelled: Bool { lock.withLock { value } }
    func cancel() { lock.withLock { value = true } }
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
