import ChatAPI
import Serving

/// One try of the student on a request, before anything goes to the client: generate the
/// whole answer (or, for a stream with ``AnswerCheckPlan/bufferTokens``, its first tokens)
/// within the deadline, then run the answer checks.
struct StudentAttempt: Sendable {
    /// The student version's model and queue.
    let backend: StudentBackend
    /// The request.
    let chat: ChatRequest
    /// The checks the router asked for.
    let plan: AnswerCheckPlan
    /// The checker.
    let check: AnswerCheck
    /// The deadline for the answer (queueing included).
    let timeout: Duration
    /// Completion budget when the request names none.
    let defaultMaxTokens: Int
    /// The route's learned router for this version: it replaces the low-confidence rule,
    /// turns prompts away after prefill and scores whole answers; nil: none learned yet.
    var router: StudentRouter? = nil

    /// A finished generation: every streamed token (including held-back tail pieces) and the result.
    struct Generation: Sendable {
        /// The tokens as they were streamed.
        var tokens: [StudentToken]
        /// The whole answer.
        var result: StudentResult
    }

    /// The first tokens of a stream that passed the checks, and the generation still running.
    struct Prefix: @unchecked Sendable {
        // @unchecked: the iterator is handed on to the response body and used only there.
        /// The checked tokens.
        var tokens: [StudentToken]
        /// The rest of the generation's events.
        var rest: AsyncStream<StudentEvent>.Iterator
        /// Stops the generation (the client went away).
        var cancellation: CancellationFlag
    }

    /// What came of the attempt.
    enum Outcome: Sendable {
        /// The whole answer passed the checks and may be sent.
        case accepted(Generation)
        /// A stream's first tokens passed the checks; the rest follows as it is generated.
        case acceptedPrefix(Prefix)
        /// The teacher must take over; the discarded answer when there was a whole one.
        case rejected(FallbackReason, Generation?)
    }

    /// Runs the attempt. Never throws: every failure is a fallback reason.
    func run() async -> Outcome {
        guard let started = try? Self.start(chat, on: backend, defaultMaxTokens: defaultMaxTokens, deadline: timeout,
                                            router: router) else {
            return .rejected(.overloaded, nil)
        }
        let cancellation = started.cancellation
        var check = check
        if router != nil { check.configuration.minimumConfidence = nil }  // the router judges confidence
        var iterator = started.events.makeAsyncIterator()
        var tokens: [StudentToken] = []
        while let event = await iterator.next() {
            switch event {
            case .started: continue
            case .token(let token):
                tokens.append(token)
                guard let limit = plan.bufferTokens, tokens.count >= limit else { continue }
                if let reason = check.check(Self.answer(tokens, result: nil), plan: plan).fallback {
                    cancellation.cancel()
                    return .rejected(reason, nil)
                }
                return .acceptedPrefix(Prefix(tokens: tokens, rest: iterator, cancellation: cancellation))
            case .failed(let error):
                return .rejected(Self.reason(error), nil)
            case .declined:
                return .rejected(.routerPrompt, nil)
            case .finished(let result):
                let generation = Generation(tokens: tokens, result: result)
                let answer = Self.answer(tokens, result: result)
                if let reason = check.check(answer, plan: plan).fallback { return .rejected(reason, generation) }
                if router?.declinesAnswer(promptState: result.promptState, logprobs: answer.tokenLogprobs) == true {
                    return .rejected(.routerAnswer, generation)
                }
                return .accepted(generation)
            }
        }
        return .rejected(.studentError, nil)
    }

    /// Starts the student on `chat` with logprobs on (the confidence check and the stored
    /// answer need them; a response shows them only if asked): its events, and the flag that
    /// stops it. A start in the `.background` lane (a shadow run) waits behind every served request.
    /// - Throws: ``OpenAIError`` 503 when the queue is full or the model is not loaded.
    static func start(
        _ chat: ChatRequest, on backend: StudentBackend, defaultMaxTokens: Int, deadline: Duration,
        router: StudentRouter? = nil, lane: StudentQueue.Lane = .served
    ) throws(OpenAIError) -> (events: AsyncStream<StudentEvent>, cancellation: CancellationFlag) {
        var options = chat.generationOptions(defaultMaxTokens: defaultMaxTokens, constrained: backend.constrainedDecoding)
        options.logprobs = true
        let cancellation = CancellationFlag()
        let job = StudentJob(messages: chat.engineMessages, options: options, cancellation: cancellation, router: router)
        return (try backend.start(job, deadline: deadline, lane: lane), cancellation)
    }

    /// The answer as the checks see it: whole with `result`, else the tokens so far.
    static func answer(_ tokens: [StudentToken], result: StudentResult?) -> StudentAnswer {
        StudentAnswer(text: result?.text ?? tokens.map(\.text).joined(), finishReason: result?.finishReason,
                      tokenLogprobs: tokens.compactMap(\.logprob), isComplete: result != nil)
    }

    /// The fallback reason for a failed generation.
    static func reason(_ error: OpenAIError) -> FallbackReason {
        switch error.code {
        case OpenAIError.studentTimeoutCode: .timeout
        case "context_length_exceeded": .contextExceeded
        default: .studentError
        }
    }

    /// Reads `events` to the end: the generation, or why there is none.
    static func collect(_ events: AsyncStream<StudentEvent>) async -> Result<Generation, AttemptFailure> {
        var tokens: [StudentToken] = []
        for await event in events {
            switch event {
            case .started: continue
            case .token(let token): tokens.append(token)
            case .failed(let error): return .failure(AttemptFailure(reason: reason(error)))
            case .declined: return .failure(AttemptFailure(reason: .routerPrompt))
            case .finished(let result): return .success(Generation(tokens: tokens, result: result))
            }
        }
        return .failure(AttemptFailure(reason: .studentError))
    }
}

/// Why a generation produced no answer.
struct AttemptFailure: Error {
    /// The fallback reason it amounts to.
    let reason: FallbackReason
}
