import Foundation

/// How one attempt ended as far as the caller of ``TeacherClient/send(_:)`` is concerned.
enum AttemptOutcome: Sendable {
    /// A response head to hand on; the body streams through the attempt's pipe.
    case head(status: Int, headers: [(name: String, value: String)])
    /// A retryable status whose body was read and dropped; wait `delay`, then try again.
    case retry(status: Int, delay: Duration)
    /// No response head: the error says why.
    case failed(TeacherError)
}

/// The limits one attempt runs under.
struct TransferLimits: Sendable {
    /// See ``TeacherConfiguration/connectTimeout``.
    var connect: Duration
    /// See ``TeacherConfiguration/firstByteTimeout``.
    var firstByte: Duration
    /// See ``TeacherConfiguration/idleTimeout``.
    var idle: Duration
    /// See ``TeacherConfiguration/totalTimeout``.
    var total: Duration
}

/// One attempt of a request: what to send, and the state shared between the async caller
/// (waiting for the head, or cancelling) and the transport performing it.
///
/// Lock discipline: `outcome`, `waiter`, `cancelled` and `interrupt` are guarded by `lock`.
final class TransferAttempt: @unchecked Sendable {
    /// The absolute URL; it never contains credentials.
    let url: String
    /// The HTTP method.
    let method: String
    /// Header lines, `Name: value`, including `Authorization` (never logged).
    let headerLines: [String]
    /// The request body.
    let body: [UInt8]
    /// The limits of this attempt.
    let limits: TransferLimits
    /// Decides at head time whether a status is retried (returns the wait) or handed on.
    let retryDecision: @Sendable (_ status: Int, _ headers: [(name: String, value: String)]) -> Duration?
    /// Where body chunks go once the head is handed on.
    let pipe = BodyPipe()

    private let lock = NSLock()
    private var outcome: AttemptOutcome?
    private var waiter: CheckedContinuation<AttemptOutcome, Never>?
    private var cancelled = false
    private var interrupt: (@Sendable () -> Void)?

    /// Creates an attempt; nothing is sent until a worker picks it up.
    init(
        url: String, method: String, headerLines: [String], body: [UInt8], limits: TransferLimits,
        retryDecision: @escaping @Sendable (Int, [(name: String, value: String)]) -> Duration?
    ) {
        self.url = url
        self.method = method
        self.headerLines = headerLines
        self.body = body
        self.limits = limits
        self.retryDecision = retryDecision
    }

    /// Waits for the outcome; cancelling the waiting task cancels the attempt.
    func waitForOutcome() async -> AttemptOutcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                lock.lock()
                if let outcome {
                    lock.unlock()
                    continuation.resume(returning: outcome)
                } else {
                    waiter = continuation
                    lock.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Records the outcome and wakes the waiter; only the first call counts.
    func resolve(_ result: AttemptOutcome) {
        lock.lock()
        guard outcome == nil else {
            lock.unlock()
            return
        }
        outcome = result
        let waiting = waiter
        waiter = nil
        lock.unlock()
        waiting?.resume(returning: result)
    }

    /// Fails the attempt before any head went out: `error` to the waiter, and a body that
    /// nobody will read closed.
    func fail(_ error: TeacherError) {
        resolve(.failed(error))
        pipe.finish(error: .cancelled)
    }

    /// Ends the attempt whose response was in `phase`; `error` nil means it ended cleanly.
    /// Both transports end every attempt through here.
    func end(in phase: TransferPhase, error: TeacherError?) {
        switch phase {
        case .awaitingHead:
            fail(error ?? .unreachable("the response ended before its head"))
        case .streaming:
            pipe.finish(error: error)
        case .discarding(let status, let delay):
            resolve(error == .cancelled ? .failed(.cancelled) : .retry(status: status, delay: delay))
            pipe.finish(error: .cancelled)
        }
    }

    /// Whether the caller gave up on this attempt.
    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Gives up: stops the body pipe and tells the transport so it aborts at once. The
    /// transport is told under the lock, so never after ``detach()`` (when what it wakes
    /// may be gone).
    func cancel() {
        lock.lock()
        cancelled = true
        interrupt?()
        lock.unlock()
        pipe.cancel()
    }

    /// Registers how the transport running this attempt is told of a cancel (it must not
    /// block nor call back into the attempt: it runs on the cancelling thread, under the
    /// lock). Returns `false` when the attempt was cancelled already.
    func attach(interrupt: @escaping @Sendable () -> Void) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        self.interrupt = interrupt
        return !cancelled
    }

    /// Unregisters the transport; after this, cancelling no longer touches it.
    func detach() {
        lock.lock()
        interrupt = nil
        lock.unlock()
    }
}
