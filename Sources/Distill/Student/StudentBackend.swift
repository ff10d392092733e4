import ChatAPI
import Engine
import Foundation

/// The local student model behind a bounded queue.
///
/// Loaded once; a model that fails to load leaves the backend in place with its load
/// error, so student routes answer 503 naming the problem instead of the process dying.
public final class StudentBackend: Sendable {
    /// The loaded model, or the reason it is not available.
    let model: Result<StudentModel, EngineError>
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
        do {
            model = .success(try StudentModel(path: settings.model, threads: settings.threads,
                                              decodeWeights: settings.decodeWeights))
        } catch let error as EngineError {
            model = .failure(error)
        } catch {
            model = .failure(.fileUnreadable(path: settings.model, reason: "\(error)"))
        }
        self.queue = queue
    }

    /// The model's name (from its file), or nil when it did not load.
    public var modelName: String? { try? model.get().modelName }

    /// Why the model is not available; nil when it loaded.
    public var loadError: String? {
        guard case .failure(let error) = model else { return nil }
        return "\(error)"
    }

    /// How the loaded model decodes, for the start-up log and `/healthz`: the weight format
    /// (`auto` resolved for the file), the kernels this binary was built with, the threads
    /// and whether they run on the spinning worker pool. Nil when the model did not load.
    public var decodeSetup: (weights: String, chosen: Bool, kernel: String, threads: Int, workerPool: Bool)? {
        guard let model = try? model.get() else { return nil }
        return (model.model.decodeWeights.rawValue, settings.decodeWeights == .auto, DecodeKernel.best.description,
                model.model.threads, Parallel.usesWorkerPool)
    }

    /// Whether JSON `response_format`s constrain decoding (`student.constrained_decoding`).
    public var constrainedDecoding: Bool { settings.constrainedDecoding }

    /// Generations waiting or running, served and background.
    public var queueDepth: Int { queue.depth }

    /// The model's context length in tokens; nil when it did not load.
    var contextLength: Int? { try? model.get().contextLength }

    /// The length of `chat`'s prompt in tokens under the model's chat template; nil when the
    /// model did not load or cannot format the conversation.
    func promptTokenCount(_ chat: ChatRequest) -> Int? {
        try? model.get().promptTokens(for: chat.engineMessages).count
    }

    /// Starts answering `chat` (the student route): events arrive on the returned stream.
    /// The generation stops when `cancellation` is set.
    /// - Throws: ``OpenAIError`` 503 when the queue is full or the model is not loaded.
    public func start(_ chat: ChatRequest, defaultMaxTokens: Int,
                      cancellation: CancellationFlag) throws(OpenAIError) -> AsyncStream<StudentEvent> {
        let job = StudentJob(messages: chat.engineMessages, options: chat.generationOptions(defaultMaxTokens: defaultMaxTokens, constrained: constrainedDecoding),
                             cancellation: cancellation)
        return try start(job)
    }

    /// Starts generating for `job`. Events arrive on the returned stream: first
    /// `.started` (or `.failed` for a request the model cannot take), then tokens,
    /// then `.finished`.
    ///
    /// With a `deadline`, a generation not finished by then ends with `.failed` carrying
    /// the code ``OpenAIError/studentTimeoutCode`` and is cancelled (also while still queued).
    /// A job in the `.background` lane (nobody waits for it) runs only when no served job waits.
    /// - Throws: ``OpenAIError`` 503 when the queue is full or the model is not loaded.
    func start(_ job: StudentJob, deadline: Duration? = nil, lane: StudentQueue.Lane = .served) throws(OpenAIError) -> AsyncStream<StudentEvent> {
        let model: StudentModel
        switch self.model {
        case .success(let loaded): model = loaded
        case .failure(let error): throw OpenAIError.overloaded("The student model is not available: \(error)")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: StudentEvent.self)
        let accepted = queue.submit({ job.run(on: model, continuation: continuation) }, lane: lane)
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
