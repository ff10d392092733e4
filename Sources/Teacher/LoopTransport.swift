import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Where a ``TeacherClient``'s attempts run: ``CurlEventLoop`` or ``LoopTransport``.
protocol TransferRunner: Sendable {
    /// Starts `attempt`; false, without starting it, when the runner is at its capacity or
    /// closed.
    func submit(_ attempt: TransferAttempt) -> Bool
    /// Stops taking attempts; running ones finish.
    func close()
}

/// Plain-`http` transfers on SwiftNIO event loops, each on the loop of the thread that
/// submits it when that is one (the gateway's handlers run on their connection's loop), else
/// on one loop chosen at creation (so callers off the loops share its kept connections).
///
/// A gateway request then never leaves its thread: the handler writes the teacher request,
/// the loop reads the answer and resumes the handler where it waits. Through
/// ``CurlEventLoop`` the same request wakes the curl thread and is woken back, two thread
/// switches that cost more than the rest of the gateway's work at low load on a small VM.
/// `https` teachers, proxies and anything else curl knows better stay on curl
/// (``TeacherTransport``).
///
/// Each loop keeps its own idle keep-alive connections (``TeacherConnection``); a transfer
/// uses one at a time. Limits, backpressure and cancellation behave as on curl.
final class LoopTransport: TransferRunner {
    /// Where the teacher listens.
    let endpoint: HTTPEndpoint
    /// Most transfers running at once.
    let capacity: Int
    /// The loop for callers that are not on one.
    private let home: any EventLoop
    private let state = NIOLockedValueBox(State())

    private struct State {
        var running = 0
        var closing = false
        var idle: [ObjectIdentifier: IdleConnections] = [:]
    }

    init(endpoint: HTTPEndpoint, capacity: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.endpoint = endpoint
        self.capacity = capacity
        home = group.next()
    }

    func submit(_ attempt: TransferAttempt) -> Bool {
        guard let (endpoint, target) = HTTPEndpoint.parse(attempt.url), endpoint == self.endpoint else {
            return false  // not this transport's teacher: the client never asks that
        }
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? home
        let idle: IdleConnections? = state.withLockedValue { state in
            guard !state.closing, state.running < capacity else { return nil }
            state.running += 1
            let key = ObjectIdentifier(loop)
            if let idle = state.idle[key] { return idle }
            let idle = IdleConnections(loop: loop, limit: capacity)
            state.idle[key] = idle
            return idle
        }
        guard let idle else { return false }
        let transfer = LoopTransfer(attempt: attempt, endpoint: endpoint, target: target, idle: idle, loop: loop) { [self] in
            state.withLockedValue { $0.running -= 1 }
        }
        if loop.inEventLoop {
            transfer.start()
        } else {
            loop.execute { transfer.start() }
        }
        return true
    }

    func close() {
        let pools = state.withLockedValue { state in
            state.closing = true
            return Array(state.idle.values)
        }
        for pool in pools { pool.loop.execute { pool.closeAll() } }
    }
}

/// The host, port and URL prefix of a plain-`http` base URL.
struct HTTPEndpoint: Sendable, Equatable {
    let host: String
    let port: Int

    /// The `Host` header's value.
    var authority: String { (host.contains(":") ? "[\(host)]" : host) + (port == 80 ? "" : ":\(port)") }

    /// The endpoint of `url` and the request target after it (`/v1/chat/completions`);
    /// nil unless `url` is `http://host[:port][/path]` with no user info.
    static func parse(_ url: String) -> (endpoint: HTTPEndpoint, target: String)? {
        guard url.lowercased().hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<slash]
        var target = String(rest[slash...])
        if target.isEmpty || target.first != "/" { target = "/" + target }
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = Substring(authority)
        var port = 80
        if host.first == "[" {  // [v6]:port
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.first == ":", let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { return nil }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return (HTTPEndpoint(host: String(host), port: port), target)
    }
}

/// One loop's idle keep-alive connections to the teacher. Used on its loop only.
final class IdleConnections: @unchecked Sendable {
    let loop: any EventLoop
    private let limit: Int
    private var connections: [TeacherConnection] = []

    init(loop: any EventLoop, limit: Int) {
        self.loop = loop
        self.limit = limit
    }

    /// The most recently used connection that is still open.
    func take() -> TeacherConnection? {
        while let connection = connections.popLast() {
            if connection.channel.isActive { return connection }
        }
        return nil
    }

    /// Keeps `connection` for the next transfer (or closes it when enough are kept).
    func put(_ connection: TeacherConnection) {
        connections.removeAll { !$0.channel.isActive }
        if connections.count < limit {
            connections.append(connection)
        } else {
            connection.channel.close(promise: nil)
        }
    }

    func closeAll() {
        for connection in connections { connection.channel.close(promise: nil) }
        connections = []
    }
}

/// The handler at the end of a teacher connection's pipeline: hands response parts to the
/// transfer using the connection, and holds reads while that transfer's consumer is full.
/// A part that arrives while no transfer uses the connection closes it. Used on its loop only.
final class TeacherConnection: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let channel: any Channel
    /// The transfer using the connection.
    var transfer: LoopTransfer?
    private var context: ChannelHandlerContext?
    private var holding = false
    private var readWanted = false

    init(channel: any Channel) {
        self.channel = channel
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let transfer else {
            context.close(promise: nil)
            return
        }
        transfer.receive(part)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let transfer = transfer
        self.transfer = nil
        transfer?.connectionEnded(error: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let transfer = transfer
        self.transfer = nil
        transfer?.connectionEnded(error: error)
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if holding {
            readWanted = true
        } else {
            context.read()
        }
    }

    /// Stops reading from the socket until ``resumeReading()``.
    func holdReads() {
        holding = true
    }

    /// Reads again, and at once if a read was held back.
    func resumeReading() {
        holding = false
        if readWanted, let context {
            readWanted = false
            context.read()
        }
    }

    /// Sends a request: head, body and end, flushed together.
    func send(_ head: HTTPRequestHead, body: [UInt8]) {
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }
}
