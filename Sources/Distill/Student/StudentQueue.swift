import Foundation

/// A bounded FIFO of generation jobs run one at a time on a dedicated thread, off the
/// event loop. One at a time because each generation already uses every core through
/// its kernels; FIFO so concurrent clients are served in arrival order.
final class StudentQueue: @unchecked Sendable {
    // @unchecked: `jobs`, `running` and `started` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var running = false
    private var started = false
    /// Jobs allowed to wait.
    let capacity: Int

    /// A queue whose thread starts with the first job; from then on the thread keeps the
    /// queue alive (it waits on its condition, so the queue must never go away under it).
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues `job`; false when the queue is full.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard jobs.count < capacity else { return false }
        jobs.append(job)
        if !started {
            started = true
            let thread = Thread { self.runLoop() }
            thread.name = "retort-student"
            thread.start()
        }
        condition.signal()
        return true
    }

    /// Jobs waiting plus the one running.
    var depth: Int { condition.withLock { jobs.count + (running ? 1 : 0) } }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            running = true
            condition.unlock()
            job()
            condition.withLock { running = false }
        }
    }
}
