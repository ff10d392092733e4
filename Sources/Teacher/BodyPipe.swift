import Foundation

/// A bounded, thread-safe queue of body chunks between the curl thread (producer, which
/// blocks while the queue is full) and one async consumer (which suspends while it is empty).
///
/// Lock discipline: every stored property is read and written only while `condition` is
/// locked; continuations are resumed after unlocking.
final class BodyPipe: @unchecked Sendable {
    /// What the consumer gets: a chunk, `nil` at the end, or the error that ended the body.
    typealias Delivery = Result<[UInt8]?, TeacherError>

    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var readIndex = 0
    private var bufferedBytes = 0
    private let capacityBytes: Int
    /// Set once by the producer: `nil` inside means a clean end.
    private var ending: TeacherError??
    private var cancelled = false
    private var waiter: CheckedContinuation<Delivery, Never>?

    /// Creates a pipe that holds at most about `capacityBytes` (one chunk may overshoot).
    init(capacityBytes: Int = 256 * 1024) {
        self.capacityBytes = capacityBytes
    }

    /// Creates a pipe that already holds `chunks` and has ended.
    convenience init(completed chunks: [[UInt8]]) {
        self.init()
        for chunk in chunks { _ = push(chunk) }
        finish(error: nil)
    }

    /// What ``push(_:until:)`` did with a chunk.
    enum PushResult {
        /// Queued or handed to the consumer.
        case accepted
        /// The consumer cancelled: the transfer should stop.
        case cancelled
        /// The consumer took nothing until the deadline (a client that stopped reading):
        /// the transfer should stop with its total timeout.
        case timedOut
    }

    /// Adds a chunk, blocking the calling (curl) thread while the pipe is full, but not past
    /// `deadline`, so a consumer that stops reading cannot hold the transfer beyond its limit.
    func push(_ chunk: [UInt8], until deadline: Date? = nil) -> PushResult {
        condition.lock()
        while bufferedBytes >= capacityBytes && !cancelled {
            guard let deadline else {
                condition.wait()
                continue
            }
            if !condition.wait(until: deadline) && bufferedBytes >= capacityBytes && !cancelled {
                condition.unlock()
                return .timedOut
            }
        }
        if cancelled {
            condition.unlock()
            return .cancelled
        }
        let waiting = waiter
        if waiting != nil {
            waiter = nil
        } else {
            chunks.append(chunk)
            bufferedBytes += chunk.count
        }
        condition.unlock()
        waiting?.resume(returning: .success(chunk))
        return .accepted
    }

    /// Ends the body, cleanly with `nil` or with an error the consumer sees after the chunks
    /// already queued. Later calls are ignored.
    func finish(error: TeacherError?) {
        condition.lock()
        guard ending == nil else {
            condition.unlock()
            return
        }
        ending = .some(error)
        let waiting = waiter
        waiter = nil
        condition.unlock()
        waiting?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    /// Whether a push would block now.
    var isFull: Bool {
        condition.lock()
        defer { condition.unlock() }
        return bufferedBytes >= capacityBytes && !cancelled
    }

    /// Whether the producer has ended the body.
    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return ending != nil
    }

    /// Stops the body: drops what is queued, wakes a blocked producer (whose `push` returns
    /// `false`) and a waiting consumer (who gets `.cancelled`). Returns whether the body was
    /// still unfinished, i.e. whether there is a transfer to abort.
    @discardableResult
    func cancel() -> Bool {
        condition.lock()
        let wasRunning = ending == nil && !cancelled
        cancelled = true
        chunks = []
        readIndex = 0
        bufferedBytes = 0
        let waiting = waiter
        waiter = nil
        condition.broadcast()
        condition.unlock()
        waiting?.resume(returning: .failure(.cancelled))
        return wasRunning
    }

    /// The next chunk, suspending until one arrives; `nil` at a clean end.
    func next() async -> Delivery {
        await withCheckedContinuation { continuation in
            condition.lock()
            if let ready = takeLocked() {
                condition.unlock()
                continuation.resume(returning: ready)
            } else {
                waiter = continuation
                condition.unlock()
            }
        }
    }

    /// Takes what can be delivered right now; call with the lock held.
    private func takeLocked() -> Delivery? {
        if cancelled { return .failure(.cancelled) }
        if readIndex < chunks.count {
            let chunk = chunks[readIndex]
            readIndex += 1
            bufferedBytes -= chunk.count
            if readIndex == chunks.count {
                chunks.removeAll(keepingCapacity: true)
                readIndex = 0
            }
            condition.broadcast()
            return .success(chunk)
        }
        if let ending {
            return ending.map { .failure($0) } ?? .success(nil)
        }
        return nil
    }
}
