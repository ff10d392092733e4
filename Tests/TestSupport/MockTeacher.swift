import Foundation

/// A stand-in OpenAI-compatible teacher: a real HTTP/1.1 server on 127.0.0.1 and an
/// ephemeral port (POSIX sockets, one thread per connection). It answers with scripted
/// replies (``enqueue(_:)``) first, then with its handler; it can stream, stall, fail and
/// reset, and records every request and connection for tests to inspect.
public final class MockTeacher: Sendable {
    private let server: MockServer

    /// Starts listening at once; `handler` answers every request no scripted reply covers.
    public init(handler: @escaping @Sendable (MockRequest) -> MockReply = MockTeacher.defaultReply) throws {
        let (descriptor, port) = try MockSocket.listenOnLoopback()
        server = MockServer(listener: descriptor, port: port, handler: handler)
        server.start()
    }

    deinit {
        server.shutdown()
    }

    /// The port it listens on.
    public var port: Int { server.port }

    /// The base URL a client should use, `http://127.0.0.1:PORT/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Every request received so far, in arrival order.
    public var requests: [MockRequest] { server.state { $0.requests } }

    /// How many connections were accepted so far.
    public var acceptedConnections: Int { server.state { $0.accepted } }

    /// How many connections the client closed (or reset) so far — also mid-reply, which is how
    /// a test sees that a cancelled transfer was aborted.
    public var connectionsClosedByClient: Int { server.state { $0.closedByClient } }

    /// How many connections are open right now.
    public var openConnections: Int { server.state { $0.open.count } }

    /// Queues replies used, in order, for the next requests before the handler is asked.
    public func enqueue(_ replies: [MockReply]) {
        server.state { $0.scripted += replies }
    }

    /// Stops listening and closes every connection; stalled replies end. Idempotent.
    public func shutdown() {
        server.shutdown()
    }

    /// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns
    /// whether it held.
    public func wait(
        timeout: Duration = .seconds(2), until condition: @Sendable (MockTeacher) -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }
}

/// The mutable state of a ``MockTeacher``.
struct MockServerState {
    /// Requests received, in order.
    var requests: [MockRequest] = []
    /// Replies queued by `enqueue`, used before the handler.
    var scripted: [MockReply] = []
    /// Connections accepted.
    var accepted = 0
    /// Connections the client closed or reset.
    var closedByClient = 0
    /// Sockets of the open connections.
    var open: Set<Int32> = []
    /// Whether `shutdown` was called.
    var stopped = false
}

/// The listening side of a ``MockTeacher``: accepts connections and serves each on its
/// own thread. Lock discipline: `shared` only under `lock`.
final class MockServer: @unchecked Sendable {
    /// The port listened on.
    let port: Int
    /// Answers requests no scripted reply covers.
    let handler: @Sendable (MockRequest) -> MockReply
    private let listener: Int32
    private let lock = NSLock()
    private var shared = MockServerState()

    /// Wraps a listening socket; call `start` to accept.
    init(listener: Int32, port: Int, handler: @escaping @Sendable (MockRequest) -> MockReply) {
        self.listener = listener
        self.port = port
        self.handler = handler
    }

    /// Runs `body` on the state under the lock.
    func state<Result>(_ body: (inout MockServerState) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&shared)
    }

    /// Whether ``shutdown()`` was called.
    var isStopped: Bool { state { $0.stopped } }

    /// Starts the accept thread.
    func start() {
        Thread { [self] in acceptLoop() }.start()
    }

    private func acceptLoop() {
        while !isStopped {
            guard MockSocket.waitReadable(listener, milliseconds: 100), let descriptor = MockSocket.accept(listener) else {
                continue
            }
            let connectionID: Int? = state {
                guard !$0.stopped else { return nil }
                $0.accepted += 1
                $0.open.insert(descriptor)
                return $0.accepted
            }
            guard let connectionID else {
                close(descriptor)
                break
            }
            Thread { [self] in serve(MockConnection(descriptor: descriptor, id: connectionID, server: self)) }.start()
        }
        close(listener)
    }

    private func serve(_ connection: MockConnection) {
        let closedByClient = connection.run()
        state {
            // Closed under the lock, so `shutdown` never wakes a descriptor number reused since.
            $0.open.remove(connection.descriptor)
            if closedByClient { $0.closedByClient += 1 }
            if connection.wasReset {
                MockSocket.reset(connection.descriptor)
            } else {
                close(connection.descriptor)
            }
        }
    }

    /// The reply for `request`: the next scripted one, or the handler's.
    func reply(to request: MockRequest) -> MockReply {
        let scripted: MockReply? = state {
            $0.requests.append(request)
            return $0.scripted.isEmpty ? nil : $0.scripted.removeFirst()
        }
        return scripted ?? handler(request)
    }

    /// Stops accepting and wakes every connection thread.
    func shutdown() {
        state {
            guard !$0.stopped else { return }
            $0.stopped = true
            MockSocket.wake(listener)
            for descriptor in $0.open { MockSocket.wake(descriptor) }
        }
    }
}
