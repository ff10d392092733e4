/// The first-byte, idle and total deadlines of one attempt, whichever transport runs it.
///
/// The transport marks activity (``markActivity(at:)``) whenever bytes arrive and says
/// when it is paused on a slow consumer; the clock answers which limit has run out and
/// when the next one will.
struct TransferClock {
    /// The limits of the attempt.
    let limits: TransferLimits
    /// When the attempt started.
    let start: ContinuousClock.Instant
    /// When the last bytes arrived; `nil` before the first.
    private(set) var lastActivity: ContinuousClock.Instant?
    /// Whether the transport stopped reading because the consumer's pipe is full. Time spent
    /// so is not upstream idleness; the total limit keeps running.
    private(set) var paused = false

    /// Starts the clocks at `start`.
    init(limits: TransferLimits, start: ContinuousClock.Instant) {
        self.limits = limits
        self.start = start
    }

    /// Bytes arrived at `now`.
    mutating func markActivity(at now: ContinuousClock.Instant) {
        lastActivity = now
    }

    /// The transport stopped reading for a full pipe.
    mutating func pause() {
        paused = true
    }

    /// The transport reads again at `now`: the idle clock restarts.
    mutating func resume(at now: ContinuousClock.Instant) {
        paused = false
        lastActivity = now
    }

    /// The phase whose limit has run out at `now`, if any.
    func expiredLimit(at now: ContinuousClock.Instant) -> TimeoutPhase? {
        if now - start >= limits.total { return .total }
        if paused { return nil }  // waiting for the consumer, not the upstream
        if let lastActivity {
            return now - lastActivity >= limits.idle ? .idle : nil
        }
        return now - start >= limits.firstByte ? .firstByte : nil
    }

    /// When the next limit runs out if nothing arrives.
    func nextDeadline() -> ContinuousClock.Instant {
        let activity = lastActivity.map { $0 + limits.idle } ?? start + limits.firstByte
        return paused ? start + limits.total : min(start + limits.total, activity)
    }
}
