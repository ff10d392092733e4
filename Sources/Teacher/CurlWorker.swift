import Foundation

/// A dedicated thread owning one ``CurlConnection``: it performs attempts one at a time, so
/// the blocking parts of curl (and a full body pipe) never hold a Swift concurrency thread.
///
/// Lock discipline: `pending` and `stopping` are guarded by `condition`.
final class CurlWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: TransferAttempt?
    private var stopping = false
    private let pool: CurlWorkerPool

    /// Creates a worker that checks back into `pool` after each attempt.
    init(pool: CurlWorkerPool) {
        self.pool = pool
    }

    /// Starts the thread; give the worker its first attempt before or after.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "retort.teacher.curl"
        thread.start()
    }

    /// Hands the worker its next attempt; it must be idle.
    func assign(_ attempt: TransferAttempt) {
        condition.lock()
        pending = attempt
        condition.signal()
        condition.unlock()
    }

    /// Asks an idle worker to end its thread (and close its connection).
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// The thread's body: perform attempts until stopped or no longer wanted.
    private func run() {
        guard let connection = CurlConnection() else {
            while let attempt = nextAttempt() {
                attempt.resolve(.failed(.unreachable("could not create a curl handle")))
                attempt.pipe.finish(error: .cancelled)
            }
            return
        }
        while let attempt = nextAttempt() {
            var keepRunning = true
            connection.perform(attempt) { keepRunning = pool.checkIn(self) }
            if !keepRunning { return }
        }
    }

    /// Blocks until there is an attempt to perform, or returns `nil` when stopping.
    private func nextAttempt() -> TransferAttempt? {
        condition.lock()
        defer { condition.unlock() }
        while pending == nil && !stopping {
            condition.wait()
        }
        let attempt = pending
        pending = nil
        return attempt
    }
}
