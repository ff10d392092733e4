import Teacher
import Testing

@Suite("RetryPolicy decisions")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(250), maxDelay: .seconds(1), maxRetryAfter: .seconds(30))

    @Test("the backoff ceiling doubles per attempt up to maxDelay")
    func ceiling() {
        let ceilings = (1...6).map { policy.backoffCeiling(afterAttempt: $0) }
        #expect(ceilings == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(1), .seconds(1), .seconds(1)])
        #expect(RetryPolicy().backoffCeiling(afterAttempt: 1_000) == .seconds(8))
    }

    @Test("full jitter: the wait is the random fraction of the ceiling", arguments: [0.0, 0.25, 0.5, 0.999])
    func jitter(unitRandom: Double) {
        for attempt in 1...3 {
            let wait = policy.delayAfterConnectionFailure(attempt: attempt, unitRandom: unitRandom)
            #expect(wait == policy.backoffCeiling(afterAttempt: attempt) * unitRandom)
        }
    }

    @Test("no retry after the last attempt, for any failure")
    func lastAttempt() {
        #expect(policy.delayAfterConnectionFailure(attempt: 4, unitRandom: 0.5) == nil)
        #expect(policy.delayAfterStatus(503, attempt: 4, retryAfter: "1", now: 0, unitRandom: 0.5) == nil)
        #expect(RetryPolicy.never.delayAfterConnectionFailure(attempt: 1, unitRandom: 0.5) == nil)
    }

    @Test("which statuses are retried")
    func retryableStatuses() {
        let retried = (100...599).filter(RetryPolicy.isRetryable(status:))
        #expect(retried == [429] + (500...599).filter { $0 != 501 && $0 != 505 })
        #expect(policy.delayAfterStatus(400, attempt: 1, retryAfter: "1", now: 0, unitRandom: 0.5) == nil)
        #expect(policy.delayAfterStatus(200, attempt: 1, retryAfter: nil, now: 0, unitRandom: 0.5) == nil)
    }

    @Test("Retry-After in seconds replaces the backoff, within the cap")
    func retryAfterSeconds() {
        #expect(policy.delayAfterStatus(429, attempt: 1, retryAfter: "2", now: 0, unitRandom: 0.9) == .seconds(2))
        #expect(policy.delayAfterStatus(429, attempt: 1, retryAfter: " 0 ", now: 0, unitRandom: 0.9) == .zero)
        #expect(policy.delayAfterStatus(503, attempt: 2, retryAfter: "30", now: 0, unitRandom: 0.9) == .seconds(30))
        #expect(policy.delayAfterStatus(503, attempt: 2, retryAfter: "31", now: 0, unitRandom: 0.9) == nil)
    }

    @Test("a Retry-After that does not parse falls back to jittered backoff")
    func retryAfterGarbage() {
        for header in ["soon", "-1", "1.5", "", "Sun, 06 Nov 1994 08:49:37 PST"] {
            #expect(policy.delayAfterStatus(500, attempt: 2, retryAfter: header, now: 0, unitRandom: 0.5) == .milliseconds(250))
        }
    }

    @Test("Retry-After as an HTTP date is measured against the injected clock")
    func retryAfterDate() throws {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        let epoch = 784_111_777.0  // that date, from `date -u -d ... +%s`
        #expect(RetryPolicy.parseRetryAfter(date, now: epoch - 5) == .seconds(5))
        #expect(RetryPolicy.parseRetryAfter(date, now: epoch - 0.25) == .milliseconds(250))
        #expect(RetryPolicy.parseRetryAfter(date, now: epoch + 100) == .zero)
        #expect(policy.delayAfterStatus(429, attempt: 1, retryAfter: date, now: epoch - 3, unitRandom: 0.1) == .seconds(3))
        #expect(policy.delayAfterStatus(429, attempt: 1, retryAfter: date, now: epoch - 60, unitRandom: 0.1) == nil)
        #expect(RetryPolicy.parseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", now: 0) == .zero)
        #expect(RetryPolicy.parseRetryAfter("Tue, 29 Feb 2028 23:59:59 GMT", now: 1_835_481_599 - 1) == .seconds(1))
        #expect(RetryPolicy.parseRetryAfter("Sun, 32 Nov 1994 08:49:37 GMT", now: 0) == nil)
    }
}
