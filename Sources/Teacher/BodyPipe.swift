import Foundation

/// A bounded, thread-safe queue of body chunks between the transport (the producer: the
/// curl loop or a connection's event loop) and one async consumer (which suspends while it
/// is empty).
///
/// The producer never blocks: it checks ``isFull`` before pushing and, when full, pauses
/// its transfer and asks to be told when there is room again (``whenRoom(_:)``).
///
/// Lock discipline: every stored property is read and written only while `condition` is
/// locked; continuations and callbacks are run after unlocking.
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
    /// Called once when a full pipe has room again.
    private var roomWaiter: (@Sendable () -> Void)?

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

    /// Adds a chunk (a full pipe takes it too: the producer checks ``isFull`` first).
    /// Returns `false` when the consumer cancelled, in which case the transfer should stop.
    func push(_ chunk: [UInt8]) -> Bool {
        condition.lock()
        if cancelled {
            condition.unlock()
            return false
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
        return true
    }

    /// Runs `action` once the pipe has room: at once if it has now, else when the consumer
    /// has taken enough. A cancelled pipe never calls it (the transfer is stopped anyway).
    func whenRoom(_ action: @escaping @Sendable () -> Void) {
        condition.lock()
        let now = bufferedBytes < capacityBytes && !cancelled
        if !now { roomWaiter = action }
        condition.unlock()
        if now { action() }
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

    /// Whether the producer should pause.
    var isFull: Bool {
        condition.lock()
        defer { condition.unlock() }
        return bufferedBytes >= capacityBytes && !cancelled
    }

    /// The bytes queued and not yet taken (what a paused transfer holds in memory).
    var queuedBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return bufferedBytes
    }

    /// Whether the producer has ended the body.
    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return ending != nil
    }

    /// Stops the body: drops what is queued, makes later pushes return `false` and wakes a
    /// waiting consumer (who gets `.cancelled`). Returns whether the body was still
    /// unfinished, i.e. whether there is a transfer to abort.
    @discardableResult
    func cancel() -> Bool {
        condition.lock()
        let wasRunning = ending == nil && !cancelled
        cancelled = true
        chunks = []
        readIndex = 0
        bufferedBytes = 0
        roomWaiter = nil
        let waiting = waiter
        waiter = nil
        condition.unlock()
        waiting?.resume(returning: .failure(.cancelled))
        return wasRunning
    }

    /// The next chunk, suspending until one arrives; `nil` at a clean end.
    func next() async -> Delivery {
        await withCheckedContinuation { continuation in
            condition.lock()
            if let ready = takeLocked() {
                let room = bufferedBytes < capacityBytes ? roomWaiter : nil
                if room != nil { roomWaiter = nil }
                condition.unlock()
                room?()
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
            return .success(chunk)
        }
        if let ending {
            return ending.map { .failure($0) } ?? .success(nil)
        }
        return nil
    }
}
