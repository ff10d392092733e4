/// When to retry a teacher request and how long to wait first: a pure value, so every
/// decision is a function of its inputs (attempt number, status, `Retry-After`, the clock
/// reading and a random number), tested without sleeping.
///
/// Keys and defaults:
/// - `maxAttempts` (`Int`, 3): attempts in all, the first included.
/// - `baseDelay` (`Duration`, 250 ms): the backoff ceiling after the first attempt; doubles
///   after each further one ("exponential backoff with full jitter": the wait is uniform in
///   `0...ceiling`, which spreads out clients that failed together).
/// - `maxDelay` (`Duration`, 8 s): the backoff ceiling never grows past this.
/// - `maxRetryAfter` (`Duration`, 30 s): a `Retry-After` asking for a longer wait is not
///   honoured by waiting; the response goes back to the caller instead, which is more useful
///   than holding a client for half a minute only to fail.
///
/// Only failures before the response head are retried: connection failures, `429` and `5xx`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 disables retries.
    public var maxAttempts: Int
    /// The backoff ceiling after the first failed attempt.
    public var baseDelay: Duration
    /// The largest backoff ceiling.
    public var maxDelay: Duration
    /// The longest `Retry-After` wait that is honoured.
    public var maxRetryAfter: Duration

    /// Creates a policy with the defaults documented on the type.
    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(30)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// A policy that never retries.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Whether a response status is worth another attempt: 429 and every 5xx but 501
    /// (not implemented) and 505 (version not supported), which cannot change on retry.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || ((500...599).contains(status) && status != 501 && status != 505)
    }

    /// The backoff ceiling after `attempt` failed attempts (attempt ≥ 1): `baseDelay·2^(attempt-1)`,
    /// at most `maxDelay`.
    public func backoffCeiling(afterAttempt attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let ceiling = baseDelay * (1 << doublings)
        return min(ceiling, maxDelay)
    }

    /// The wait before the next attempt after attempt number `attempt` (1-based) failed to
    /// connect, or `nil` when no attempt is left. `unitRandom` is uniform in `0..<1`.
    public func delayAfterConnectionFailure(attempt: Int, unitRandom: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        return jittered(backoffCeiling(afterAttempt: attempt), unitRandom: unitRandom)
    }

    /// The wait before the next attempt after attempt number `attempt` answered `status`, or
    /// `nil` when that response should go back to the caller: the status is not retryable, no
    /// attempt is left, or `Retry-After` asks for more than `maxRetryAfter`.
    ///
    /// - Parameters:
    ///   - retryAfter: the raw `Retry-After` header, delta-seconds or an HTTP date.
    ///   - now: the wall clock in seconds since 1970, to resolve an HTTP date.
    ///   - unitRandom: uniform in `0..<1`, for jitter when there is no usable `Retry-After`.
    public func delayAfterStatus(
        _ status: Int, attempt: Int, retryAfter: String?, now: Double, unitRandom: Double
    ) -> Duration? {
        guard attempt < maxAttempts, Self.isRetryable(status: status) else { return nil }
        if let header = retryAfter, let asked = Self.parseRetryAfter(header, now: now) {
            return asked <= maxRetryAfter ? asked : nil
        }
        return jittered(backoffCeiling(afterAttempt: attempt), unitRandom: unitRandom)
    }

    /// Full jitter: uniform in `0...ceiling`.
    private func jittered(_ ceiling: Duration, unitRandom: Double) -> Duration {
        let unit = min(max(unitRandom, 0), 1)
        return ceiling * unit
    }
}
