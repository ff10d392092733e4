/// Where a transfer is in its response, for either transport.
enum TransferPhase {
    /// No body byte yet; the head may still be arriving.
    case awaitingHead
    /// The head went to the caller; chunks go to the pipe.
    case streaming
    /// A retryable status: read and drop its body, then report `retry`.
    case discarding(status: Int, delay: Duration)
}

/// The first-byte, idle and total limits of one attempt, read against its clock.
struct TransferDeadlines {
    let limits: TransferLimits
    let start: ContinuousClock.Instant
    /// When the last byte arrived, or nil before the first.
    var lastActivity: ContinuousClock.Instant?
    /// Whether the transfer waits for its consumer (then only the total limit runs).
    var paused = false

    init(limits: TransferLimits, start: ContinuousClock.Instant) {
        self.limits = limits
        self.start = start
    }

    /// The phase whose limit has run out at `now`, if any.
    func expired(at now: ContinuousClock.Instant) -> TimeoutPhase? {
        if now - start >= limits.total { return .total }
        if paused { return nil }  // waiting for the consumer, not the upstream
        if let lastActivity {
            return now - lastActivity >= limits.idle ? .idle : nil
        }
        return now - start >= limits.firstByte ? .firstByte : nil
    }

    /// When the next limit runs out if nothing arrives.
    var next: ContinuousClock.Instant {
        let activity = lastActivity.map { $0 + limits.idle } ?? start + limits.firstByte
        return paused ? start + limits.total : min(start + limits.total, activity)
    }
}

extension TransferAttempt {
    /// Reports how a transfer in `phase` ended: `error` nil for a clean end, else why it
    /// stopped (a cancellation, a limit, a broken connection).
    func end(in phase: TransferPhase, error: TeacherError?) {
        switch phase {
        case .awaitingHead:
            resolve(.failed(error ?? .unreachable("the response ended before its head")))
            pipe.finish(error: .cancelled)
        case .streaming:
            pipe.finish(error: error)
        case .discarding(let status, let delay):
            resolve(error == .cancelled ? .failed(.cancelled) : .retry(status: status, delay: delay))
            pipe.finish(error: .cancelled)
        }
    }
}
