import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import Gateway

/// The gateway's own HTTP/1 connection handling (``LoopBoundHTTP1Channel``,
/// ``HTTPExchangeHandler``): what Hummingbird's channel did for it and a client relies on.
@Suite("HTTP/1 connections")
struct HTTPConnectionTests {
    /// A small server on the gateway's channel: `/slow` answers after 100 ms, `/fast` at
    /// once, `/ignore` without reading its body, `/length` (and `/off/length`, on the global
    /// pool) with the size of the body it read, `/big` with `bigSize` bytes.
    static let bigSize = 4 << 20

    func withServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("slow") { _, _ in
            try await Task.sleep(for: .milliseconds(100))
            return "slow"
        }
        router.get("fast") { _, _ in "fast" }
        router.post("ignore") { _, _ in "ignored" }
        router.post("length") { request, _ in
            String(try await request.body.collect(upTo: 64 << 20).readableBytes)
        }
        router.group("off").add(middleware: OffLoopMiddleware()).post("length") { request, _ in
            String(try await request.body.collect(upTo: 64 << 20).readableBytes)
        }
        router.get("big") { _, _ in
            try await Task.sleep(for: .milliseconds(100))
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "b"), count: Self.bigSize)))
        }
        let responder = router.buildResponder()
        let app = Application(responder: responder,
                              server: .loopBoundHTTP1(responder: responder, configuration: .init(), serverName: "retort-test"),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client.port ?? 0) }
    }

    /// Sends `request` on a new connection and reads until the server closes it.
    func exchange(_ port: Int, _ request: String, timeout: Duration = .seconds(5)) throws -> (text: String, closed: Bool) {
        let client = try RawClient(port: port)
        client.send(request)
        return client.readUntilClosed(timeout: timeout)
    }

    @Test("pipelined requests are answered in order, and Connection: close ends the connection")
    func pipelinedInOrder() async throws {
        try await withServer { port in
            let (text, closed) = try exchange(port, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            #expect(closed)
            let slow = try #require(text.range(of: "\r\n\r\nslow"))
            let fast = try #require(text.range(of: "\r\n\r\nfast"))
            #expect(slow.lowerBound < fast.lowerBound)
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        }
    }

    @Test("every response carries Date and Server")
    func dateAndServer() async throws {
        try await withServer { port in
            let head = try exchange(port, "GET /fast HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").text.lowercased()
            #expect(head.contains("server: retort-test\r\n"))
            #expect(head.contains("date: ") && head.contains(" gmt\r\n"))
        }
        #expect(HTTPDateCache.format(1_764_000_000) == "Mon, 24 Nov 2025 16:00:00 GMT")
        #expect(HTTPDateCache.format(1_709_251_199) == "Thu, 29 Feb 2024 23:59:59 GMT")
    }

    @Test("a request that cannot be parsed gets a 400 and the connection closes")
    func unparseableIs400() async throws {
        try await withServer { port in
            let (text, closed) = try exchange(port, "NOT HTTP AT ALL\r\n\r\n")
            #expect(closed)
            #expect(text.hasPrefix("HTTP/1.1 400"))
        }
    }

    @Test("a body the handler never read is dropped and the connection serves the next request")
    func unreadBodyDropped() async throws {
        try await withServer { port in
            let size = 1 << 20
            let (text, closed) = try exchange(
                port, "POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n" + String(repeating: "x", count: size)
                    + "POST /length HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", timeout: .seconds(10))
            #expect(closed)
            #expect(text.contains("\r\n\r\nignored"))
            #expect(text.hasSuffix("\r\n\r\n5"))
        }
    }

    @Test("a body is read whole by a handler on the connection's loop and by one on the global pool")
    func bodiesOnAndOffTheLoop() async throws {
        try await withServer { port in
            for path in ["/length", "/off/length"] {
                let size = 3 << 20
                let (text, closed) = try exchange(
                    port, "POST \(path) HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n"
                        + String(repeating: "y", count: size), timeout: .seconds(10))
                #expect(closed)
                #expect(text.hasSuffix("\r\n\r\n\(size)"), "\(path)")
            }
        }
    }

    /// The client shuts its side after the request, before the answer is ready: the answer
    /// still goes out whole, then the connection closes.
    @Test("a client that half-closes after its request gets the whole answer")
    func halfClosedClientGetsEverything() async throws {
        try await withServer { port in
            let client = try RawClient(port: port)
            client.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
            client.shutdownWrite()
            let (text, closed) = client.readUntilClosed(timeout: .seconds(10))
            #expect(closed, "\(text.utf8.count) bytes: \(text.prefix(200))")
            let body = try #require(text.range(of: "\r\n\r\n")).upperBound
            #expect(text[body...].utf8.count == Self.bigSize)
        }
    }

    @Test("Expect: 100-continue gets its 100 once the handler reads the body; a handler that never reads answers without one")
    func continueWhenTheBodyIsWanted() async throws {
        try await withServer { port in
            let client = try RawClient(port: port)
            client.send("POST /length HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
            let interim = client.readUntilClosed(timeout: .milliseconds(500))
            #expect(interim.text == "HTTP/1.1 100 Continue\r\n\r\n" && !interim.closed)
            client.send("hello")
            let final = client.readUntilClosed(timeout: .seconds(5))
            #expect(final.closed && final.text.hasPrefix("HTTP/1.1 200 OK") && final.text.hasSuffix("\r\n\r\n5"))

            let ignoring = try RawClient(port: port)
            ignoring.send("POST /ignore HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
            let answer = ignoring.readUntilClosed(timeout: .seconds(5))
            #expect(answer.closed && answer.text.hasPrefix("HTTP/1.1 200 OK") && !answer.text.contains("100 Continue"))
        }
    }

    /// An exchange handler on a connected embedded channel, behind a counter of the reads
    /// it lets through. Nothing a test does with it may suspend: an embedded loop must stay
    /// on the thread that made it.
    private func embeddedExchange() throws -> (EmbeddedChannel, HTTPExchangeHandler, ReadCounter) {
        let reads = ReadCounter()
        let channel = EmbeddedChannel()
        let exchanges = HTTPExchangeHandler(loop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandlers([reads, exchanges])
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1), promise: nil)
        return (channel, exchanges, reads)
    }

    /// Body parts nobody reads stop the socket's reads at ``HTTPExchangeHandler/bodyHighWater``
    /// queued bytes; reading the body below the low-water mark lets one read through again.
    @Test("an unread body holds the connection's reads at the high-water mark")
    func unreadBodyHoldsReads() async throws {
        let (channel, exchanges, reads) = try embeddedExchange()

        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "a", path: "/")))
        let (_, body) = try #require(await exchanges.nextRequest())
        let chunk = ByteBuffer(repeating: 7, count: 16 * 1024)
        var sent = 0
        let before = reads.count
        for _ in 0..<40 {  // 640 KB, well past the high-water mark
            try channel.writeInbound(HTTPRequestPart.body(chunk))
            sent += chunk.readableBytes
            channel.read()
        }
        #expect(reads.count - before == HTTPExchangeHandler.bodyHighWater / chunk.readableBytes - 1)
        #expect(body.queuedBytes == sent)

        let iterator = body.makeAsyncIterator()
        var received = 0
        let held = reads.count
        while body.queuedBytes >= HTTPExchangeHandler.bodyLowWater {
            received += try await iterator.next()?.readableBytes ?? 0
        }
        #expect(reads.count == held + 1)  // the held read went through
        try channel.writeInbound(HTTPRequestPart.end(nil))
        while let buffer = try await iterator.next() { received += buffer.readableBytes }
        #expect(received == sent)
        _ = try channel.finish()
    }

    @Test("a pipelined request waiting for the task holds the reads until the task takes it")
    func pipelinedRequestHoldsReads() async throws {
        let (channel, exchanges, reads) = try embeddedExchange()
        func request(_ path: String) throws {
            try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "a", path: path)))
            try channel.writeInbound(HTTPRequestPart.end(nil))
        }

        let start = reads.count
        channel.read()
        #expect(reads.count == start + 1)  // nothing queued: reads pass
        try request("/1")
        try request("/2")  // both arrived in one read, before the task asked
        channel.read()
        channel.read()
        #expect(reads.count == start + 1)  // held while requests wait
        #expect(try #require(await exchanges.nextRequest()).0.path == "/1")
        #expect(reads.count == start + 1)  // "/2" still waits
        #expect(try #require(await exchanges.nextRequest()).0.path == "/2")
        #expect(reads.count == start + 2)  // the held read went through once the queue emptied
        channel.read()
        #expect(reads.count == start + 3)
        _ = try channel.finish()
    }
}

/// Counts the read requests that reach it from the handlers behind it.
private final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = Any
    var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
