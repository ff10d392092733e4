import ChatAPI
import Foundation

/// A bounded queue of generation jobs run one at a time on a dedicated thread, off the
/// event loop. One at a time because each generation already uses every core through
/// its kernels.
///
/// Two lanes: *served* jobs (a client waits for the answer) run before any *background*
/// job (a shadow run, judged after the teacher answered), in arrival order within each
/// lane. Each lane holds up to `capacity` waiting jobs of its own, so background work
/// can neither delay a served request beyond the generation already running nor fill the
/// queue against it.
final class StudentQueue: @unchecked Sendable {
    // @unchecked: `served`, `background`, `running` and `started` are guarded by `condition`.
    private let condition = NSCondition()
    private var served: [@Sendable () -> Void] = []
    private var background: [@Sendable () -> Void] = []
    private var running = false
    private var started = false
    /// Jobs allowed to wait in each lane.
    let capacity: Int

    /// Who waits for a job's answer.
    enum Lane: Sendable {
        /// A client: runs first.
        case served
        /// Nobody (a shadow run): runs when no served job waits.
        case background
    }

    /// A queue whose thread starts with the first job; from then on the thread keeps the
    /// queue alive (it waits on its condition, so the queue must never go away under it).
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues `job` in `lane`; false when that lane is full.
    func submit(_ job: @escaping @Sendable () -> Void, lane: Lane = .served) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        switch lane {
        case .served:
            guard served.count < capacity else { return false }
            served.append(job)
        case .background:
            guard background.count < capacity else { return false }
            background.append(job)
        }
        if !started {
            started = true
            let thread = Thread {
                nameCurrentThread("retort-student")
                self.runLoop()
            }
            thread.start()
        }
        condition.signal()
        return true
    }

    /// Jobs waiting in both lanes plus the one running.
    var depth: Int { condition.withLock { served.count + background.count + (running ? 1 : 0) } }

    /// What a new served job would wait behind: the served jobs waiting and the generation
    /// running (of either lane).
    var servedDepth: Int { condition.withLock { served.count + (running ? 1 : 0) } }

    /// Background jobs waiting.
    var backgroundDepth: Int { condition.withLock { background.count } }

    private func runLoop() {
        while true {
            condition.lock()
            while served.isEmpty && background.isEmpty { condition.wait() }
            let job = served.isEmpty ? background.removeFirst() : served.removeFirst()
            running = true
            condition.unlock()
            job()
            condition.withLock { running = false }
        }
    }
}
