import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One attempt on a ``LoopTransport``: takes or opens a connection, sends the request,
/// hands the head and body on, and enforces the attempt's limits with a timer on the loop.
/// Used on its loop only (cancellation arrives through `loop.execute`).
final class LoopTransfer: @unchecked Sendable {
    private let attempt: TransferAttempt
    private let endpoint: HTTPEndpoint
    /// The request target: the URL's path and query.
    private let target: String
    private let idle: IdleConnections
    private let loop: any EventLoop
    private let released: @Sendable () -> Void
    private var deadlines: TransferDeadlines
    private var phase = TransferPhase.awaitingHead
    private var connection: TeacherConnection?
    /// Whether the connection came from the idle list (a closed one is opened again once).
    private var reused = false
    private var responseByte = false
    private var keepAlive = false
    private var timer: Scheduled<Void>?
    /// When `timer` fires.
    private var timerDeadline = ContinuousClock.Instant.now
    private var ended = false

    init(attempt: TransferAttempt, endpoint: HTTPEndpoint, target: String, idle: IdleConnections, loop: any EventLoop,
         released: @escaping @Sendable () -> Void) {
        self.attempt = attempt
        self.endpoint = endpoint
        self.target = target
        self.idle = idle
        self.loop = loop
        self.released = released
        deadlines = TransferDeadlines(limits: attempt.limits, start: .now)
    }

    /// Starts the attempt on the loop.
    func start() {
        let loop = loop
        guard attempt.attach(onCancel: { loop.execute { self.stop(.cancelled) } }) else {
            stop(.cancelled)
            return
        }
        armTimer()
        if let connection = idle.take() {
            reused = true
            send(on: connection)
        } else {
            connect()
        }
    }

    private func connect() {
        reused = false
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(attempt.limits.connect))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(TeacherConnection(channel: channel))
                }
            }
        bootstrap.connect(host: endpoint.host, port: endpoint.port).whenComplete { result in
            switch result {
            case .success(let channel):
                guard !self.ended, let connection = try? channel.pipeline.syncOperations.handler(type: TeacherConnection.self) else {
                    channel.close(promise: nil)
                    return
                }
                self.send(on: connection)
            case .failure(let error):
                self.stop(Self.connectError(error))
            }
        }
    }

    private func send(on connection: TeacherConnection) {
        guard !ended else {
            idle.put(connection)
            return
        }
        self.connection = connection
        connection.transfer = self
        connection.send(requestHead(), body: attempt.body)
    }

    /// The request head: `Host` (unless the attempt sets its own, as curl allows), the
    /// attempt's headers (an empty value, as in curl's `Expect:`, sends nothing), and the
    /// body's length.
    private func requestHead() -> HTTPRequestHead {
        var headers = HTTPHeaders()
        if !attempt.headerLines.contains(where: { $0.lowercased().hasPrefix("host:") }) {
            headers.add(name: "Host", value: endpoint.authority)
        }
        for line in attempt.headerLines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !value.isEmpty { headers.add(name: String(line[..<colon]), value: value) }
        }
        let method = HTTPMethod(rawValue: attempt.method.uppercased())
        if !attempt.body.isEmpty || (method != .GET && method != .HEAD) {
            headers.replaceOrAdd(name: "Content-Length", value: String(attempt.body.count))
        }
        return HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)
    }

    /// Handles one part of the response.
    func receive(_ part: HTTPClientResponsePart) {
        guard !ended else { return }
        responseByte = true
        deadlines.lastActivity = .now
        if deadlines.next < timerDeadline { armTimer() }  // the first byte: the idle limit is nearer
        switch part {
        case .head(let head):
            keepAlive = head.isKeepAlive
            let status = Int(head.status.code)
            let headers = head.headers.map { (name: $0.name, value: $0.value) }
            if let delay = attempt.retryDecision(status, headers) {
                phase = .discarding(status: status, delay: delay)
            } else {
                phase = .streaming
                attempt.resolve(.head(status: status, headers: headers))
            }
        case .body(let buffer):
            guard case .streaming = phase else { return }
            guard attempt.pipe.push(Array(buffer.readableBytesView)) else {
                stop(.cancelled)
                return
            }
            if attempt.pipe.isFull { pause() }
        case .end:
            finish()
        }
    }

    /// Stops reading until the consumer has room; the idle limit waits with it.
    private func pause() {
        guard let connection, !deadlines.paused else { return }
        deadlines.paused = true
        connection.holdReads()
        let loop = loop
        attempt.pipe.whenRoom { loop.execute { self.resume() } }
    }

    private func resume() {
        guard !ended, deadlines.paused else { return }
        deadlines.paused = false
        deadlines.lastActivity = .now  // time spent on a slow consumer is not upstream idleness
        if deadlines.next < timerDeadline { armTimer() }
        connection?.resumeReading()
    }

    /// The response ended cleanly: keep the connection for the next transfer and report.
    private func finish() {
        ended = true
        timer?.cancel()
        if let connection {
            connection.transfer = nil
            connection.resumeReading()
            if keepAlive { idle.put(connection) } else { connection.channel.close(promise: nil) }
        }
        report(error: nil)
    }

    /// The connection closed or failed under the transfer.
    func connectionEnded(error: (any Error)?) {
        guard !ended else { return }
        connection = nil
        if reused && !responseByte {
            connect()  // a kept connection the server had closed: the request never reached it
            return
        }
        switch phase {
        case .awaitingHead: stop(.unreachable(Self.describe(error, or: "the connection closed before a response")))
        default: stop(.transfer(Self.describe(error, or: "the connection closed mid-response")))
        }
    }

    /// Ends the attempt early for `reason`, closing its connection.
    private func stop(_ reason: TeacherError) {
        guard !ended else { return }
        ended = true
        timer?.cancel()
        if let connection {
            connection.transfer = nil
            connection.channel.close(promise: nil)
        }
        report(error: reason)
    }

    private func report(error: TeacherError?) {
        attempt.detach()
        attempt.end(in: phase, error: error)
        released()
    }

    /// Schedules the limit check for the nearest deadline (replacing any earlier timer).
    private func armTimer() {
        timer?.cancel()
        timerDeadline = deadlines.next
        timer = loop.scheduleTask(in: TimeAmount(max(timerDeadline - .now, .zero))) { [self] in
            guard !ended else { return }
            if let phase = deadlines.expired(at: .now) {
                stop(.timedOut(phase))
            } else {
                armTimer()
            }
        }
    }

    private static func connectError(_ error: any Error) -> TeacherError {
        if case ChannelError.connectTimeout = error { return .timedOut(.connect) }
        return .unreachable(describe(error, or: "could not connect"))
    }

    private static func describe(_ error: (any Error)?, or fallback: String) -> String {
        guard let error else { return fallback }
        return "\(fallback): \(error)"
    }
}
