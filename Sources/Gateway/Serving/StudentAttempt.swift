import ChatAPI
import Engine
import Serving

/// One try of the student on a request, before anything goes to the client: generate
/// the whole answer (within the deadline), then run the answer checks.
struct StudentAttempt: Sendable {
    let backend: StudentBackend
    let chat: ChatRequest
    let plan: AnswerCheckPlan
    let check: AnswerCheck
    let timeout: Duration
    let defaultMaxTokens: Int

    /// A finished generation: every streamed token (including held-back tail pieces) and the result.
    struct Generation: Sendable {
        var tokens: [GeneratedToken]
        var result: GenerationResult
    }

    /// What came of the attempt.
    enum Outcome: Sendable {
        /// The answer passed the checks and may be sent.
        case accepted(Generation)
        /// The teacher must take over; the discarded answer when there was one.
        case rejected(FallbackReason, Generation?)
    }

    /// Runs the attempt. Never throws: every failure is a fallback reason.
    func run() async -> Outcome {
        var options = chat.generationOptions(defaultMaxTokens: defaultMaxTokens)
        options.logprobs = true  // the confidence check needs them; the response shows them only if asked
        let cancellation = CancellationFlag()
        let events: AsyncStream<StudentEvent>
        do {
            events = try backend.start(StudentJob(messages: chat.engineMessages, options: options, cancellation: cancellation))
        } catch {
            return .rejected(.overloaded, nil)
        }
        let collected = await Self.collect(events, timeout: timeout)
        switch collected {
        case nil:
            cancellation.cancel()
            return .rejected(.timeout, nil)
        case .failure(let failure)?:
            return .rejected(failure.reason, nil)
        case .success(let generation)?:
            let answer = StudentAnswer(text: generation.result.text, finishReason: generation.result.finishReason.rawValue,
                                       tokenLogprobs: generation.tokens.compactMap { $0.logprob.map { Double($0.logprob) } })
            let verdict = check.check(answer, plan: plan)
            return verdict.fallback.map { .rejected($0, generation) } ?? .accepted(generation)
        }
    }

    /// The generation, a failure reason, or nil when `timeout` passed first.
    static func collect(_ events: AsyncStream<StudentEvent>, timeout: Duration) async -> Result<Generation, AttemptFailure>? {
        await withTaskGroup(of: Result<Generation, AttemptFailure>?.self) { group in
            group.addTask { await drain(events) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Reads events to the end.
    private static func drain(_ events: AsyncStream<StudentEvent>) async -> Result<Generation, AttemptFailure> {
        var tokens: [GeneratedToken] = []
        for await event in events {
            switch event {
            case .started: continue
            case .token(let token): tokens.append(token)
            case .failed(let error):
                return .failure(AttemptFailure(reason: error.code == "context_length_exceeded" ? .contextExceeded : .studentError))
            case .finished(let result): return .success(Generation(tokens: tokens, result: result))
            }
        }
        return .failure(AttemptFailure(reason: .studentError))
    }
}

/// Why a generation produced no answer.
struct AttemptFailure: Error {
    let reason: FallbackReason
}
