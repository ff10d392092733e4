import ChatAPI
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
/// Here the pipeline is SwiftNIO's HTTP/1 codec (with its 400-and-close for requests it
/// cannot parse), the HTTP-types codec and Hummingbird's connection-state handler (the idle
/// timeout, closing on shutdown), as in Hummingbird; then ``HTTPExchangeHandler`` queues
/// pipelined requests itself (SwiftNIO's pipelining assistance would take the socket off
/// and back onto epoll around every request: two system calls each) and hands each request
/// to the connection's task, which runs the router on the connection's loop
/// (``EventLoopExecutor``) and writes the response straight into the pipeline. A response
/// with a known length leaves in one flush; a streamed one (no length) is flushed chunk by
/// chunk and waits while the client is not reading.
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
                withPipeliningAssistance: false, withErrorHandling: true, withOutboundHeaderValidation: false,
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
            if head.headerFields[.connection]?.equalsIgnoringASCIICase("close") == true { break }
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
