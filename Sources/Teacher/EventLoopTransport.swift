import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Plain-HTTP attempts on SwiftNIO event loops, over keep-alive connections pooled per loop:
/// the transport for a teacher on `http://` (a model server on this machine or the LAN).
///
/// An attempt runs on the event loop of the task that submits it when that task runs on one
/// (in the gateway, the loop of the client's connection: its handlers prefer that loop),
/// otherwise on one loop of `group` chosen once, so those callers share kept connections.
/// There the request is written before ``submit(_:)`` returns, the answer is read by the
/// same thread, and the waiting task is resumed on it: a teacher call crosses no thread on
/// the way out or back. ``CurlEventLoop`` instead hands each attempt to a thread of its own
/// and the head back, two cross-thread wakes and the curl thread's work per request.
///
/// Each connection carries one attempt at a time and goes back to its loop's pool when the
/// response ended on a keep-alive connection; a pooled connection found closed when a request
/// was written is replaced once by a fresh one (as curl does). At most `capacity` attempts run
/// at once across all loops; ``submit(_:)`` refuses more.
///
/// Lock discipline: `state` is guarded by its own lock; each ``ConnectionPool`` and every
/// ``EventLoopTransferHandler`` is touched only on its loop.
final class EventLoopTransport: TransferDriver, Sendable {
    /// Where the teacher listens, worked out once from the base URL.
    struct Endpoint: Sendable {
        /// The host name or address, without the brackets of an IPv6 literal.
        let host: String
        /// The TCP port (80 when the URL names none).
        let port: Int
        /// The `Host` header: the URL's authority as written.
        let authority: String
        /// `http://` and the authority: what every attempt's URL starts with.
        let origin: String
        /// The address when the host is numeric, so no resolver runs per connection.
        let address: SocketAddress?

        /// The endpoint of an `http` base URL without credentials; nil for anything else.
        init?(baseURL: String) {
            let scheme = "http://"
            guard baseURL.lowercased().hasPrefix(scheme) else { return nil }
            let rest = baseURL.dropFirst(scheme.count)
            let authority = String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
            guard !authority.isEmpty, !authority.contains("@") else { return nil }
            var host = Substring(authority)
            var port = 80
            if host.hasPrefix("[") {  // [v6]:port
                guard let close = host.firstIndex(of: "]") else { return nil }
                let after = host[host.index(after: close)...]
                host = host[host.index(after: host.startIndex)..<close]
                if !after.isEmpty {
                    guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                    port = number
                }
            } else if let colon = host.lastIndex(of: ":") {
                guard let number = Int(host[host.index(after: colon)...]) else { return nil }
                port = number
                host = host[..<colon]
            }
            guard !host.isEmpty, (1...65535).contains(port) else { return nil }
            self.host = String(host)
            self.port = port
            self.authority = authority
            origin = String(baseURL.prefix(scheme.count)) + authority
            address = try? SocketAddress(ipAddress: self.host, port: port)
        }

        /// The request target of `url` (which starts with ``origin``): its path and query.
        func target(of url: String) -> String {
            let target = url.dropFirst(origin.count)
            return target.isEmpty ? "/" : String(target)
        }
    }

    private struct State {
        var inFlight = 0
        var closing = false
        var pools: [ObjectIdentifier: ConnectionPool] = [:]
    }

    /// Where the teacher listens.
    let endpoint: Endpoint
    /// Most attempts running at once.
    let capacity: Int
    /// The loop for attempts submitted off every event loop.
    private let fallbackLoop: any EventLoop
    private let state = NIOLockedValueBox(State())

    /// A transport to `endpoint`; attempts submitted off any event loop run on `group`'s.
    init(endpoint: Endpoint, capacity: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.endpoint = endpoint
        self.capacity = capacity
        fallbackLoop = group.next()
    }

    func submit(_ attempt: TransferAttempt) -> Bool {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? fallbackLoop
        let key = ObjectIdentifier(loop)
        let pool = state.withLockedValue { state -> ConnectionPool? in
            guard !state.closing, state.inFlight < capacity else { return nil }
            state.inFlight += 1
            if let pool = state.pools[key] { return pool }
            let pool = ConnectionPool(loop: loop)
            state.pools[key] = pool
            return pool
        }
        guard let pool else { return false }
        let started = ContinuousClock.now
        if loop.inEventLoop {
            start(attempt, in: pool, reusing: true, started: started)
        } else {
            loop.execute { self.start(attempt, in: pool, reusing: true, started: started) }
        }
        return true
    }

    func close() {
        let pools = state.withLockedValue { state in
            state.closing = true
            return Array(state.pools.values)
        }
        for pool in pools {
            pool.loop.execute { pool.close() }
        }
    }

    /// Runs `attempt` on a pooled connection when `reusing` and one is open, else on a new
    /// one. On the pool's loop.
    func start(_ attempt: TransferAttempt, in pool: ConnectionPool, reusing: Bool, started: ContinuousClock.Instant) {
        if reusing, let connection = pool.takeIdle() {
            connection.begin(attempt, reused: true, started: started)
            return
        }
        // A cancel while connecting answers the caller at once; the connection, once made,
        // then finds the attempt cancelled and goes to the pool unused (``begin``).
        let loop = pool.loop
        guard attempt.attach(interrupt: { loop.execute { attempt.fail(.cancelled) } }) else {
            attempt.fail(.cancelled)
            release()
            return
        }
        let handler = EventLoopTransferHandler(transport: self, pool: pool)
        let bootstrap = ClientBootstrap(group: pool.loop)
            .connectTimeout(TimeAmount(attempt.limits.connect))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // No outbound header validation: TeacherClient drops header lines with
                    // line breaks before they get here, and the check is a handler per write.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let connected = endpoint.address.map { bootstrap.connect(to: $0) }
            ?? bootstrap.connect(host: endpoint.host, port: endpoint.port)
        connected.whenComplete { result in
            switch result {
            case .success:
                handler.begin(attempt, reused: false, started: started)
            case .failure(let error):
                attempt.detach()
                attempt.fail(Self.connectFailure(error, endpoint: self.endpoint))
                self.release()
            }
        }
    }

    /// An attempt ended: room for another.
    func release() {
        state.withLockedValue { $0.inFlight -= 1 }
    }

    /// The error for a connection that could not be set up.
    static func connectFailure(_ error: any Error, endpoint: Endpoint) -> TeacherError {
        if case ChannelError.connectTimeout = error { return .timedOut(.connect) }
        return .unreachable("could not connect to \(endpoint.authority): \(error)")
    }
}

/// The idle keep-alive connections of one event loop. Touched only on `loop`.
final class ConnectionPool: @unchecked Sendable {
    /// The loop every connection here belongs to.
    let loop: any EventLoop
    private var idle: [EventLoopTransferHandler] = []
    private var closed = false

    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// The most recently used connection still open, if any; closed ones are dropped.
    func takeIdle() -> EventLoopTransferHandler? {
        while let connection = idle.popLast() {
            if connection.isOpen { return connection }
        }
        return nil
    }

    /// Keeps a connection whose response ended cleanly, or closes it once the pool is closed.
    func put(_ connection: EventLoopTransferHandler) {
        if closed {
            connection.close()
        } else {
            idle.append(connection)
        }
    }

    /// Closes the idle connections and every one put back later.
    func close() {
        closed = true
        for connection in idle { connection.close() }
        idle = []
    }
}

extension TimeAmount {
    /// `duration` in nanoseconds, saturating.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(overflow ? .max : scaled &+ attoseconds / 1_000_000_000)
    }
}
