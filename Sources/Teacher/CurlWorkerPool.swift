import Foundation

/// The idle ``CurlWorker``s of one client, most recently used first, so sequential requests
/// land on the same warm keep-alive connection. Busy workers are not tracked: a worker checks
/// itself back in when its attempt ends, and exits instead when the pool is full or closed.
///
/// Lock discipline: `idle` and `closed` are guarded by `lock`.
final class CurlWorkerPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CurlWorker] = []
    private var closed = false
    /// How many idle workers (and so idle connections) are kept.
    let maxIdle: Int

    /// Creates an empty pool keeping at most `maxIdle` idle workers.
    init(maxIdle: Int = 64) {
        self.maxIdle = maxIdle
    }

    /// Runs `attempt` on an idle worker, or on a new one when none is idle.
    func submit(_ attempt: TransferAttempt) {
        lock.lock()
        let reused = idle.popLast()
        lock.unlock()
        if let reused {
            reused.assign(attempt)
        } else {
            let worker = CurlWorker(pool: self)
            worker.assign(attempt)
            worker.start()
        }
    }

    /// Returns a worker whose attempt ended; `false` tells it to exit.
    func checkIn(_ worker: CurlWorker) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !closed, idle.count < maxIdle else { return false }
        idle.append(worker)
        return true
    }

    /// Stops every idle worker; busy ones exit when their attempt ends.
    func close() {
        lock.lock()
        closed = true
        let stopping = idle
        idle = []
        lock.unlock()
        for worker in stopping { worker.stop() }
    }
}
