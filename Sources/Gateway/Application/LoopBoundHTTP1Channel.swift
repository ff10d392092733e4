import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// HTTP/1.1 connections served from their own event loop, with Hummingbird's router,
/// middleware, request and response types and none of its per-connection async channel.
///
/// Hummingbird's `HTTP1Channel` wraps every connection in an `NIOAsyncChannel`: request
/// parts reach the handler through an async sequence and response parts leave through an
/// async writer, each a generic state machine behind a lock. On a 2-core VM that bridge
/// cost about as much CPU per request as the whole HTTP codec (a fixed answer, side by
/// side: 18–23k requests/s through Hummingbird's channel, 28–33k through a first cut of
/// this one, 41–51k from a bare SwiftNIO handler).
///
/// Here the pipeline is SwiftNIO's HTTP/1 codec (with its pipelining assistance and its
/// 400-and-close for requests it cannot parse), the HTTP-types codec and Hummingbird's
/// connection-state handler (the idle timeout, closing on shutdown), as in Hummingbird;
/// then ``HTTPExchangeHandler`` hands each request to the connection's task, which runs
/// the router on the connection's loop (``EventLoopExecutor``) and writes the response
/// straight into the pipeline. A response with a known length leaves in one flush; a
/// streamed one (no length) is flushed chunk by chunk and waits while the client is not
/// reading.
///
/// The `Application`'s own responder is not used: this channel makes the request context,
/// turns an error that escaped the middleware into a 500 and sets `Date` and `Server`, as
/// `Application` does, and calls the router's responder itself.
struct LoopBoundHTTP1Channel<Responder: HTTPResponder>: ServerChildChannel
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let exchanges: HTTPExchangeHandler
    }

    let responder: Responder
    let configuration: HTTP1Channel.Configuration
    let serverName: String?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = configuration.httpDecoder.maxHeaderFieldSize
            limits.maxHeaderListSize = configuration.httpDecoder.maxHeaderListSize
            limits.maxHeaderFieldCount = configuration.httpDecoder.maxHeaderFieldCount
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: true, withErrorHandling: true, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits
            )
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandlers(configuration.additionalChannelHandlers())
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: configuration.idleTimeout.map { .init($0) }, logger: logger))
            let exchanges = HTTPExchangeHandler(loop: channel.eventLoop)
            try pipeline.addHandler(exchanges)
            return Value(channel: channel, exchanges: exchanges)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopExecutor(value.channel.eventLoop)) {
            await withTaskCancellationHandler {
                await serve(value, logger: logger)
            } onCancel: {
                value.channel.close(mode: .input, promise: nil)
            }
        }
    }

    /// One request after the other until the client leaves, asks to close, or a response
    /// cannot be written.
    private func serve(_ connection: Value, logger: Logger) async {
        let exchanges = connection.exchanges
        var dates = HTTPDateCache()
        while let (head, body) = await exchanges.nextRequest() {
            let request = Request(head: head, body: RequestBody(asyncSequence: body))
            let context = Responder.Context(source: .init(channel: connection.channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                logger.debug("an error escaped the middleware", metadata: ["error": "\(error)"])
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = dates.now()
            if let serverName { response.headers[.server] = serverName }
            do {
                try await exchanges.write(response)
            } catch {
                break
            }
            await body.discard()
            if let connection = head.headerFields[.connection], connection.lowercased() == "close" { break }
        }
        exchanges.closeAfterWrites()
        try? await connection.channel.closeFuture.get()
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 served by ``LoopBoundHTTP1Channel``: `responder` (the router's) on each
    /// connection's event loop, with `configuration`'s idle timeout, decoder limits and
    /// extra handlers.
    public static func loopBoundHTTP1<Responder: HTTPResponder>(
        responder: Responder, configuration: HTTP1Channel.Configuration, serverName: String?
    ) -> HTTPServerBuilder where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        .init { _ in LoopBoundHTTP1Channel(responder: responder, configuration: configuration, serverName: serverName) }
    }
}

/// The last handler of a ``LoopBoundHTTP1Channel`` pipeline: queues each request for the
/// connection's task, feeds its body to it (holding the socket's reads while more than
/// ``bodyHighWater`` bytes wait unread) and writes the task's response parts.
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
    /// Requests whose heads arrived before the task asked (at most one: the pipelining
    /// assistance holds the next request until this one's response has ended).
    private var arrived = CircularBuffer<Incoming>(initialCapacity: 2)
    private var requestWaiter: CheckedContinuation<Incoming?, Never>?
    /// The request whose body is still arriving.
    private var arriving: RequestBodySource?
    private var inputOpen = true
    private var readHeld = false
    private var writableWaiters: [EventLoopPromise<Void>] = []
    /// The last response's end, written or still queued.
    private var lastEnd: EventLoopFuture<Void>?

    init(loop: any EventLoop) {
        self.loop = loop
    }

    // MARK: The connection's task

    /// The next request, or nil once the client closed its side (or the connection).
    func nextRequest() async -> Incoming? {
        if loop.inEventLoop, let incoming = arrived.popFirst() { return incoming }
        return await withCheckedContinuation { continuation in
            onLoop { self.awaitRequest(continuation) }
        }
    }

    /// Writes `response`: the head, then its body through ``ChannelBodyWriter``.
    func write(_ response: Response) async throws {
        let streamed = response.body.contentLength == nil
        if loop.inEventLoop {
            try send(.head(response.head), flush: streamed)
        } else {
            try await loop.submit { try self.send(.head(response.head), flush: streamed) }.get()
        }
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
        if loop.inEventLoop {
            try sendEnd(trailers)
        } else {
            try await loop.submit { try self.sendEnd(trailers) }.get()
        }
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

    private func onLoop(_ work: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { work() } else { loop.execute(work) }
    }

    private func awaitRequest(_ continuation: CheckedContinuation<Incoming?, Never>) {
        if let incoming = arrived.popFirst() {
            continuation.resume(returning: incoming)
        } else if !inputOpen || context == nil {
            continuation.resume(returning: nil)
        } else {
            requestWaiter = continuation
        }
    }

    private func send(_ part: HTTPResponsePart, flush: Bool) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    private func sendEnd(_ trailers: HTTPFields?) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
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

    /// Reads again if they were held for a body that has since been drained (or dropped).
    func resumeReading() {
        guard readHeld, let context else { return }
        readHeld = false
        context.read()
    }

    // MARK: ChannelHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        arrived.removeAll()
        connectionEnded(ChannelError.ioOnClosedChannel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let body = RequestBodySource(exchanges: self)
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
        if let arriving, arriving.queuedBytes >= Self.bodyHighWater {
            readHeld = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputOpen = false
            arriving?.finish(ChannelError.eof)
            arriving = nil
            requestWaiter.take()?.resume(returning: nil)
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
        arrived.removeAll()  // nobody to answer: they would only hold this handler
        connectionEnded(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    /// An error the codecs passed on (a request SwiftNIO could not parse has had its 400):
    /// the request it belongs to fails and the connection closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        arriving?.finish(error)
        arriving = nil
        context.close(promise: nil)
    }

    private func connectionEnded(_ error: any Error) {
        inputOpen = false
        arriving?.finish(error)
        arriving = nil
        requestWaiter.take()?.resume(returning: nil)
        let waiters = writableWaiters
        writableWaiters.removeAll()
        for waiter in waiters { waiter.fail(error) }
    }
}

/// A request's body as it arrives, read by the handler's task as an async sequence of
/// buffers. Its state belongs to the connection's loop (see ``HTTPExchangeHandler``).
final class RequestBodySource: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer

    private let exchanges: HTTPExchangeHandler
    private var buffers = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private(set) var queuedBytes = 0
    /// Set once the last part arrived: success, or the error that cut the body short.
    private var ended: Result<Void, any Error>?
    private var waiter: CheckedContinuation<ByteBuffer?, any Error>?
    private var discarding = false

    init(exchanges: HTTPExchangeHandler) {
        self.exchanges = exchanges
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: RequestBodySource
        func next() async throws -> ByteBuffer? { try await source.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: self) }

    func next() async throws -> ByteBuffer? {
        if exchanges.loop.inEventLoop {
            if let buffer = take() { return buffer }
            if let ended { try ended.get(); return nil }
        }
        return try await withCheckedThrowingContinuation { continuation in
            if exchanges.loop.inEventLoop {
                wait(continuation)
            } else {
                exchanges.loop.execute { self.wait(continuation) }
            }
        }
    }

    /// Drops what is queued and whatever else arrives: the response has been written.
    func discard() async {
        if exchanges.loop.inEventLoop {
            drop()
        } else {
            try? await exchanges.loop.submit { self.drop() }.get()
        }
    }

    // On the loop:

    func append(_ buffer: ByteBuffer) {
        guard !discarding, ended == nil else { return }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: buffer)
        } else {
            buffers.append(buffer)
            queuedBytes += buffer.readableBytes
        }
    }

    func finish(_ error: (any Error)?) {
        guard ended == nil else { return }
        let result: Result<Void, any Error> = error.map { .failure($0) } ?? .success(())
        ended = result
        waiter.take()?.resume(with: result.map { nil })
    }

    private func wait(_ continuation: CheckedContinuation<ByteBuffer?, any Error>) {
        if let buffer = take() {
            continuation.resume(returning: buffer)
        } else if let ended {
            continuation.resume(with: ended.map { nil })
        } else {
            waiter = continuation
        }
    }

    private func take() -> ByteBuffer? {
        guard let buffer = buffers.popFirst() else { return nil }
        let before = queuedBytes
        queuedBytes -= buffer.readableBytes
        if before >= HTTPExchangeHandler.bodyLowWater, queuedBytes < HTTPExchangeHandler.bodyLowWater {
            exchanges.resumeReading()
        }
        return buffer
    }

    private func drop() {
        discarding = true
        buffers.removeAll()
        queuedBytes = 0
        exchanges.resumeReading()
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

/// The `Date` header's value (RFC 9110's IMF-fixdate), formatted once per second.
struct HTTPDateCache {
    private var second: time_t = -1
    private var value = ""

    mutating func now() -> String {
        let seconds = time(nil)
        if seconds != second {
            second = seconds
            value = Self.format(seconds)
        }
        return value
    }

    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var t = tm()
        gmtime_r(&seconds, &t)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) "
            + "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
