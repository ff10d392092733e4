import CCurl
import ChatAPI
import Foundation

/// One thread driving every transfer of a ``TeacherClient`` through one curl multi handle:
/// an event loop instead of a thread per transfer.
///
/// Callers hand attempts in with ``submit(_:)`` (which wakes the loop); the loop starts
/// them, runs curl until a socket or a deadline needs it, hands heads and body chunks on,
/// and enforces each attempt's first-byte, idle and total limits itself. Nothing in the
/// loop blocks: a body whose consumer is slow is *paused* (curl stops reading that socket)
/// until the consumer drains its pipe, so one slow client never holds the others up, and
/// every limit still fires. The multi handle's connection cache keeps connections alive
/// between attempts. At most `capacity` transfers run at once; ``submit(_:)`` refuses more.
/// The thread keeps the loop alive until ``close()`` and its last transfer.
///
/// Lock discipline: `inbox`, `resumes`, `closing`, `sleeping` and `count` are guarded by
/// `lock`; the rest belongs to the loop thread.
final class CurlEventLoop: TransferDriver, @unchecked Sendable {
    private let lock = NSLock()
    private var inbox: [TransferAttempt] = []
    private var resumes: [TransferContext] = []
    private var closing = false
    /// The loop is in (or about to enter) `curl_multi_poll` with nothing left to take, so
    /// new work must wake it. Otherwise it takes the work on its next turn unasked: under
    /// load the loop is mostly busy, and each wake is a write to curl's socket pair.
    private var sleeping = false
    /// Transfers submitted and not yet finished.
    private var count = 0
    /// Most transfers running at once.
    let capacity: Int

    private let multi: UnsafeMutableRawPointer
    /// Wakes the loop from `curl_multi_poll`; what a cancelled attempt calls.
    private let wakeOnCancel: @Sendable () -> Void
    private var active: [UnsafeMutableRawPointer: TransferContext] = [:]
    private var spareHandles: [UnsafeMutableRawPointer] = []

    /// Creates the multi handle and starts the loop thread; nil when curl cannot allocate.
    init?(capacity: Int) {
        CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else { return nil }
        self.multi = multi
        self.capacity = capacity
        let handle = MultiHandle(pointer: multi)
        wakeOnCancel = { curl_multi_wakeup(handle.pointer) }
        let thread = Thread { [self] in
            nameCurrentThread("retort-curl")
            run()
        }
        thread.start()
    }

    /// Hands `attempt` to the loop. Returns false, without starting it, when `capacity`
    /// transfers are running already or the loop is closed.
    func submit(_ attempt: TransferAttempt) -> Bool {
        let (accepted, wake) = lock.withLock {
            guard !closing, count < capacity else { return (false, false) }
            count += 1
            inbox.append(attempt)
            return (true, takeSleeping())
        }
        if wake { curl_multi_wakeup(multi) }
        return accepted
    }

    /// Asks the loop to continue a paused transfer (its consumer made room).
    func resume(_ context: TransferContext) {
        let wake = lock.withLock {
            resumes.append(context)
            return takeSleeping()
        }
        if wake { curl_multi_wakeup(multi) }
    }

    /// Stops taking transfers; the thread exits once the running ones have ended (their
    /// bodies may outlive the client that started them).
    func close() {
        let wake = lock.withLock {
            closing = true
            return takeSleeping()
        }
        if wake { curl_multi_wakeup(multi) }
    }

    /// Whether the caller, having just queued work (under `lock`), must wake the loop: true
    /// for the first caller while it sleeps; the wake reaches `curl_multi_poll` even if
    /// the loop has not quite entered it yet (curl keeps it in its socket pair).
    private func takeSleeping() -> Bool {
        defer { sleeping = false }
        return sleeping
    }

    private func run() {
        while true {
            let (started, resumed, stop) = lock.withLock {
                defer {
                    inbox = []
                    resumes = []
                    sleeping = false  // awake, by a wake or by curl's sockets
                }
                return (inbox, resumes, closing)
            }
            for attempt in started { start(attempt) }
            if stop && active.isEmpty { break }
            for context in resumed where active[context.easy] === context { context.resume() }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            finishDone()
            let wait = enforceLimits(at: ContinuousClock.now)
            // Sleep only if nothing was queued (or closed) meanwhile; from here new work
            // wakes the loop.
            let idle = lock.withLock {
                sleeping = inbox.isEmpty && resumes.isEmpty && closing == stop
                return sleeping
            }
            let timeout = idle ? Int32(clamping: max(1, min(1000, wait.milliseconds + 1))) : 0
            curl_multi_poll(multi, nil, 0, timeout, nil)
        }
        for handle in spareHandles { curl_easy_cleanup(handle) }
        curl_multi_cleanup(multi)
    }

    /// Configures a handle for `attempt` and adds it to the multi handle.
    private func start(_ attempt: TransferAttempt) {
        guard let easy = spareHandles.popLast() ?? curl_easy_init() else {
            attempt.fail(.unreachable("could not create a curl handle"))
            release()
            return
        }
        curl_easy_reset(easy)
        let context = TransferContext(attempt: attempt, easy: easy, loop: self)
        var code = context.configure()
        if code == CURLE_OK, !attempt.attach(interrupt: wakeOnCancel) {
            context.abortReason = .cancelled
            code = CURLE_ABORTED_BY_CALLBACK
        }
        if code == CURLE_OK, curl_multi_add_handle(multi, easy) != CURLM_OK { code = CURLE_OUT_OF_MEMORY }
        guard code == CURLE_OK else {
            attempt.detach()
            context.complete(code: code)
            spareHandles.append(easy)
            release()
            return
        }
        active[easy] = context
    }

    /// Completes every transfer curl reports done.
    private func finishDone() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let context = active[easy] else { continue }
            finish(context, code: message.pointee.data.result)
        }
    }

    /// Hands decided heads on, stops cancelled and timed-out transfers, and returns how
    /// long the loop may sleep before the next limit runs out.
    private func enforceLimits(at now: ContinuousClock.Instant) -> Duration {
        var next = now + .seconds(1)
        for context in Array(active.values) {
            context.flushHead()
            if context.attempt.isCancelled {
                context.abortReason = .cancelled
                finish(context, code: CURLE_ABORTED_BY_CALLBACK)
            } else if let phase = context.expiredLimit(at: now) {
                context.abortReason = .timedOut(phase)
                finish(context, code: CURLE_OPERATION_TIMEDOUT)
            } else {
                next = min(next, context.nextDeadline())
            }
        }
        return next - now
    }

    /// Removes a transfer from curl (closing its connection if it was cut), reports how it
    /// ended and keeps its handle for the next attempt.
    private func finish(_ context: TransferContext, code: CURLcode) {
        curl_multi_remove_handle(multi, context.easy)
        active[context.easy] = nil
        context.attempt.detach()
        context.complete(code: code)
        spareHandles.append(context.easy)
        release()
    }

    private func release() {
        lock.withLock { count -= 1 }
    }
}

/// The multi handle, for the wake closure: `curl_multi_wakeup` is the one curl call that
/// is safe from any thread.
private struct MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
