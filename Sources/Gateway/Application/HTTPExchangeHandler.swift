import ChatAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// The last handler of a ``LoopBoundHTTP1Channel`` pipeline: queues each request for the
/// connection's task, feeds its body to it and writes the task's response parts. The
/// socket's reads are held while a pipelined request waits for the task or more than
/// ``bodyHighWater`` body bytes wait unread, so a client cannot queue more than one read's
/// worth of requests or body ahead of its answers.
///
/// Its state belongs to the connection's event loop. The task normally runs there; when a
/// route moved it off (``OffLoopMiddleware``), each call hops onto the loop first.
final class HTTPExchangeHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    typealias Incoming = (HTTPRequest, RequestBodySource)

    /// Unread body bytes at which the socket stops being read, and below which it reads again.
    static let bodyHighWater = 256 * 1024
    static let bodyLowWater = 64 * 1024

    let loop: any EventLoop
    private var context: ChannelHandlerContext?
    /// Requests whose heads arrived before the task asked (pipelined: what one read held).
    private var arrived = CircularBuffer<Incoming>(initialCapacity: 2)
    private var requestWaiter: CheckedContinuation<Incoming?, Never>?
    /// The request whose body is still arriving.
    private var arriving: RequestBodySource?
    private var inputOpen = true
    private var readHeld = false
    private var writableWaiters: [EventLoopPromise<Void>] = []
    /// The last response's end, written or still queued.
    private var lastEnd: EventLoopFuture<Void>?
    /// Between a response's head and its end: no `100 Continue` may go out then.
    private var responseOpen = false

    init(loop: any EventLoop) {
        self.loop = loop
    }

    // MARK: The connection's task

    /// The next request, or nil once the client closed its side (or the connection).
    func nextRequest() async -> Incoming? {
        if loop.inEventLoop, let incoming = takeArrived() { return incoming }
        return await withCheckedContinuation { continuation in
            onLoop { self.awaitRequest(continuation) }
        }
    }

    /// Writes `response`: the head, then its body through ``ChannelBodyWriter``.
    func write(_ response: Response) async throws {
        let streamed = response.body.contentLength == nil
        let head = response.head
        try await onLoopWaiting { try self.send(.head(head), flush: streamed) }
        try await response.body.write(ChannelBodyWriter(exchanges: self, flushEachWrite: streamed))
    }

    func writeBody(_ buffer: ByteBuffer, flush: Bool) async throws {
        if loop.inEventLoop {
            try send(.body(buffer), flush: flush)
            if let context, !context.channel.isWritable { try await writable().get() }
        } else {
            try await loop.flatSubmit {
                do {
                    try self.send(.body(buffer), flush: flush)
                    return self.writable()
                } catch {
                    return self.loop.makeFailedFuture(error)
                }
            }.get()
        }
    }

    func writeEnd(_ trailers: HTTPFields?) async throws {
        try await onLoopWaiting { try self.sendEnd(trailers) }
    }

    /// Closes the connection once the last response's end has gone out (at once if there
    /// was none): the task has served its last request.
    func closeAfterWrites() {
        onLoop {
            guard let channel = self.context?.channel else { return }
            if let lastEnd = self.lastEnd {
                lastEnd.whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
        }
    }

    // MARK: On the loop

    /// Runs `work` on the loop: at once when already there, else queued onto it.
    func onLoop(_ work: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { work() } else { loop.execute(work) }
    }

    /// Runs `work` on the loop: at once when already there, else by a hop whose result the
    /// caller waits for.
    func onLoopWaiting(_ work: @escaping @Sendable () throws -> Void) async throws {
        if loop.inEventLoop { try work() } else { try await loop.submit(work).get() }
    }

    private func awaitRequest(_ continuation: CheckedContinuation<Incoming?, Never>) {
        if let incoming = takeArrived() {
            continuation.resume(returning: incoming)
        } else if !inputOpen || context == nil {
            continuation.resume(returning: nil)
        } else {
            requestWaiter = continuation
        }
    }

    private func send(_ part: HTTPResponsePart, flush: Bool) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        if case .head = part { responseOpen = true }
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    private func sendEnd(_ trailers: HTTPFields?) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        responseOpen = false
        lastEnd = context.writeAndFlush(wrapOutboundOut(.end(trailers)))
    }

    /// Succeeds once the channel takes writes again (at once if it does), fails if it closes.
    private func writable() -> EventLoopFuture<Void> {
        guard let context, context.channel.isActive else { return loop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        if context.channel.isWritable { return loop.makeSucceededVoidFuture() }
        // Flushing may drain the buffer at once (the change of writability then fired inside
        // `flush`, before anyone was waiting for it), so look again before waiting.
        context.flush()
        if context.channel.isWritable { return loop.makeSucceededVoidFuture() }
        let promise = loop.makePromise(of: Void.self)
        writableWaiters.append(promise)
        return promise.futureResult
    }

    /// The first queued request; the socket is read again once none is left.
    private func takeArrived() -> Incoming? {
        guard let incoming = arrived.popFirst() else { return nil }
        resumeReading()
        return incoming
    }

    /// Whether the socket's reads wait: a pipelined request waits for the task, or the body
    /// arriving has reached the high-water mark (it reads again only below the low one,
    /// when ``RequestBodySource`` calls ``resumeReading()``).
    private var holdsReads: Bool {
        !arrived.isEmpty || (arriving?.queuedBytes ?? 0) >= Self.bodyHighWater
    }

    /// Tells a client that sent `Expect: 100-continue` to send its body: the handler is
    /// waiting for it. Not once the response has begun (the final answer says it all).
    func sendContinue() {
        guard !responseOpen, let context, context.channel.isActive else { return }
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// Reads again if they were held and nothing holds them now (the queued requests taken,
    /// the body drained or dropped).
    func resumeReading() {
        guard readHeld, !holdsReads, let context else { return }
        readHeld = false
        context.read()
    }

    // MARK: ChannelHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        connectionEnded()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let expectsContinue = head.headerFields[.expect]?.equalsIgnoringASCIICase("100-continue") ?? false
            let body = RequestBodySource(exchanges: self, expectsContinue: expectsContinue)
            arriving = body
            if let waiter = requestWaiter {
                requestWaiter = nil
                waiter.resume(returning: (head, body))
            } else {
                arrived.append((head, body))
            }
        case .body(let buffer):
            arriving?.append(buffer)
        case .end:
            arriving?.finish(nil)
            arriving = nil
        }
    }

    func read(context: ChannelHandlerContext) {
        if holdsReads {
            readHeld = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputEnded(ChannelError.eof)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            let waiters = writableWaiters
            writableWaiters.removeAll()
            for waiter in waiters { waiter.succeed() }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectionEnded()
        context.fireChannelInactive()
    }

    /// An error the codecs passed on (a request SwiftNIO could not parse has had its 400):
    /// the request it belongs to fails and the connection closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        arriving?.finish(error)
        arriving = nil
        context.close(promise: nil)
    }

    /// No more requests will arrive: a body cut short fails with `error`, and a task
    /// waiting for a request gets nil (requests already queued are still served).
    private func inputEnded(_ error: any Error) {
        inputOpen = false
        arriving?.finish(error)
        arriving = nil
        requestWaiter.take()?.resume(returning: nil)
    }

    /// The connection is gone: queued requests are dropped (nobody to answer; they would
    /// only hold this handler) and writers waiting for room fail.
    private func connectionEnded() {
        let error = ChannelError.ioOnClosedChannel
        arrived.removeAll()
        inputEnded(error)
        let waiters = writableWaiters
        writableWaiters.removeAll()
        for waiter in waiters { waiter.fail(error) }
    }
}

/// A response body's writer onto the connection (``HTTPExchangeHandler``).
struct ChannelBodyWriter: ResponseBodyWriter {
    let exchanges: HTTPExchangeHandler
    /// A body without a known length is streamed: every chunk is flushed as it is written.
    let flushEachWrite: Bool

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await exchanges.writeBody(buffer, flush: flushEachWrite)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await exchanges.writeEnd(trailingHeaders)
    }
}
