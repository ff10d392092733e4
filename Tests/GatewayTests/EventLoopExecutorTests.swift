import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import NIOCore
import NIOPosix
import Teacher
import Testing
import TestSupport
@testable import Gateway

@Suite("Connection tasks on their event loop")
struct EventLoopExecutorTests {
    @Test("a task preferring a loop runs on it, also after a resume from another thread, and offLoop leaves it")
    func staysOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let result = await withTaskExecutorPreference(EventLoopExecutor(loop)) { () async -> [Bool] in
            var seen = [loop.inEventLoop]
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume() }  // resumed from a thread of its own
            }
            seen.append(loop.inEventLoop)
            try? await Task.sleep(for: .milliseconds(5))
            seen.append(loop.inEventLoop)
            async let child = loop.inEventLoop  // child tasks inherit the preference
            seen.append(await child)
            seen.append(await offLoop { MultiThreadedEventLoopGroup.currentEventLoop == nil })
            seen.append(loop.inEventLoop)
            return seen
        }
        #expect(result == [true, true, true, true, true, true])
        try await group.shutdownGracefully()
    }

    /// Through a live server built as the gateway's is: a plain route's handler and body run
    /// on the connection's loop, an ``OffLoopMiddleware`` route's on the global pool.
    @Test("plain routes run on the connection's loop, OffLoopMiddleware routes and their bodies off it")
    func routesOnAndOffTheLoop() async throws {
        struct Where: ResponseGenerator {
            func response(from request: Request, context: some RequestContext) throws -> Response {
                let handler = MultiThreadedEventLoopGroup.currentEventLoop != nil
                return Response(status: .ok, body: ResponseBody { writer in
                    let body = MultiThreadedEventLoopGroup.currentEventLoop != nil
                    try await writer.write(ByteBuffer(string: "\(handler) \(body)"))
                    try await writer.finish(nil)
                })
            }
        }
        let router = Router()
        router.get("on") { _, _ in Where() }
        router.group("off").add(middleware: OffLoopMiddleware()).get("") { _, _ in Where() }
        let responder = router.buildResponder()
        let app = Application(responder: responder, server: .loopBoundHTTP1(responder: responder, configuration: .init(), serverName: nil),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let on = try await client.execute(uri: "/on", method: .get) { String(buffer: $0.body) }
            let off = try await client.execute(uri: "/off", method: .get) { String(buffer: $0.body) }
            #expect(on == "true true")
            #expect(off == "false false")
        }
    }

    /// The teacher client's event-loop transport on a connection's loop: the request goes
    /// out from that loop, on a connection kept for that loop, and the handler resumes there.
    @Test("a teacher request sent from a loop goes out on that loop's own kept connection")
    func teacherConnectionsPerLoop() async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = [group.next(), group.next()]
        do {
            let client = TeacherClient(configuration: TeacherConfiguration(
                baseURL: mock.baseURL, retry: .never, transport: .eventLoops))
            let request = TeacherRequest(path: "/chat/completions", body: Array(#"{"model":"m","messages":[]}"#.utf8))
            for loop in [loops[0], loops[0], loops[1], loops[0], loops[1]] {
                let resumedOnLoop = try await withTaskExecutorPreference(EventLoopExecutor(loop)) {
                    let response = try await client.send(request)
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return loop.inEventLoop
                }
                #expect(resumedOnLoop)
            }
        }
        #expect(mock.requests.map(\.connectionID) == [1, 1, 2, 1, 2])
        try await group.shutdownGracefully()
    }

    @Test("event_loop_handlers is on unless the configuration turns it off, and must be a boolean")
    func setting() throws {
        func decode(_ json: String) throws -> GatewayConfiguration {
            try JSONDecoder().decode(GatewayConfiguration.self, from: Data(json.utf8))
        }
        #expect(try decode("{}").eventLoopHandlers)
        #expect(try !decode(#"{"event_loop_handlers": false}"#).eventLoopHandlers)
        #expect(throws: DecodingError.self) { try decode(#"{"event_loop_handlers": "yes"}"#) }
    }
}
