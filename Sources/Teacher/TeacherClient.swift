import ChatAPI
import Foundation

/// The HTTP client for the teacher: keep-alive connections, streaming bodies with
/// backpressure, timeouts, retries with backoff, cancellation and a cap on transfers in
/// flight. A plain `http` teacher is reached from the caller's own SwiftNIO event loop
/// (``EventLoopTransport``), anything else through libcurl on one thread of its own
/// (``CurlEventLoop``); see ``TeacherConfiguration/Transport``.
public final class TeacherClient: Sendable {
    /// The configuration every request uses.
    public let configuration: TeacherConfiguration
    private let driver: (any TransferDriver)?
    /// ``TeacherConfiguration/baseURL`` checked, or why it cannot be used.
    let baseURL: Result<String, TeacherError>
    private let unitRandom: @Sendable () -> Double
    private let wallClock: @Sendable () -> Double

    /// Creates a client; connections open on first use.
    public convenience init(configuration: TeacherConfiguration) {
        self.init(
            configuration: configuration,
            unitRandom: { Double.random(in: 0..<1) },
            wallClock: { Date().timeIntervalSince1970 }
        )
    }

    /// Creates a client with injected randomness (for jitter) and wall clock (for HTTP dates
    /// in `Retry-After`), for tests.
    init(
        configuration: TeacherConfiguration,
        unitRandom: @escaping @Sendable () -> Double,
        wallClock: @escaping @Sendable () -> Double
    ) {
        self.configuration = configuration
        self.unitRandom = unitRandom
        self.wallClock = wallClock
        baseURL = Self.checkedBase(configuration.baseURL)
        driver = Self.makeDriver(configuration, baseURL: (try? baseURL.get()) ?? configuration.baseURL)
    }

    deinit {
        driver?.close()
    }

    /// The transport `configuration` asks for; nil when curl cannot allocate.
    static func makeDriver(_ configuration: TeacherConfiguration, baseURL: String,
                           environment: [String: String] = ProcessInfo.processInfo.environment) -> (any TransferDriver)? {
        let capacity = configuration.maxConcurrentTransfers
        let proxied = ["http_proxy", "all_proxy", "ALL_PROXY"].contains { !(environment[$0] ?? "").isEmpty }
        let wantsLoops = switch configuration.transport {
        case .eventLoops: true
        case .automatic: !proxied
        case .curl: false
        }
        if wantsLoops, let endpoint = EventLoopTransport.Endpoint(baseURL: baseURL) {
            return EventLoopTransport(endpoint: endpoint, capacity: capacity)
        }
        return CurlEventLoop(capacity: capacity)
    }


    /// Sends `request` and returns once the response head has arrived; throws
    /// ``TeacherError/overloaded(limit:)`` at once when the client is at its transfer cap.
    ///
    /// Connection failures, `429` and `5xx` are retried per ``TeacherConfiguration/retry``, only
    /// before the head is returned, so before any byte could reach a client. A retryable status
    /// on the last attempt (or with a too-long `Retry-After`) is returned like any response, so
    /// its status and error body reach the client. Cancelling the calling task cancels the
    /// request; after this returns, the body carries the transfer (see ``TeacherBody``).
    ///
    /// `whileWaiting` runs once, right after the first attempt is handed to the transport
    /// (on the event-loop transport, after the request was written): work the caller would
    /// otherwise do before sending runs while the teacher is already answering.
    public func send(_ request: TeacherRequest, whileWaiting: () -> Void = {}) async throws(TeacherError) -> TeacherResponse {
        let url = try makeURL(path: request.path)
        let headerLines = makeHeaderLines(request)
        let policy = configuration.retry
        var attemptNumber = 1
        while true {
            if Task.isCancelled { throw .cancelled }
            let attempt = makeAttempt(url: url, request: request, headerLines: headerLines, number: attemptNumber)
            guard let driver else { throw .unreachable("could not create a curl handle") }
            guard driver.submit(attempt) else { throw .overloaded(limit: configuration.maxConcurrentTransfers) }
            if attemptNumber == 1 { whileWaiting() }
            let delay: Duration
            switch await attempt.waitForOutcome() {
            case .head(let status, let headers):
                if Task.isCancelled {  // cancelled as the head arrived: do not hand on a dead body
                    attempt.cancel()
                    throw .cancelled
                }
                let body = TeacherBody(pipe: attempt.pipe, abort: { attempt.cancel() })
                return TeacherResponse(status: status, headers: headers, body: body, attempts: attemptNumber)
            case .retry(_, let wait):
                delay = wait
            case .failed(let error):
                guard Self.isConnectionFailure(error),
                      let wait = policy.delayAfterConnectionFailure(attempt: attemptNumber, unitRandom: unitRandom())
                else { throw error }
                delay = wait
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .cancelled
            }
            attemptNumber += 1
        }
    }

    /// Whether an error before the head means the request never got an answer, so retrying
    /// is safe: the connection failed, was refused, closed or reset, or timed out connecting.
    static func isConnectionFailure(_ error: TeacherError) -> Bool {
        switch error {
        case .unreachable, .timedOut(.connect): true
        default: false
        }
    }

    /// Builds one attempt, with the retry decision bound to its number.
    private func makeAttempt(url: String, request: TeacherRequest, headerLines: [String], number: Int) -> TransferAttempt {
        let policy = configuration.retry
        let unitRandom = unitRandom
        let wallClock = wallClock
        let limits = TransferLimits(
            connect: configuration.connectTimeout, firstByte: configuration.firstByteTimeout,
            idle: configuration.idleTimeout, total: configuration.totalTimeout)
        return TransferAttempt(
            url: url, method: request.method, headerLines: headerLines, body: request.body, limits: limits
        ) { status, headers in
            guard RetryPolicy.isRetryable(status: status) else { return nil }
            let retryAfter = headers.first { $0.name.equalsIgnoringASCIICase("retry-after") }?.value
            return policy.delayAfterStatus(
                status, attempt: number, retryAfter: retryAfter, now: wallClock(), unitRandom: unitRandom())
        }
    }
}
