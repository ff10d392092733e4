import ArgumentParser
import Gateway
import Hummingbird
import NIOCore
import Teacher

/// `retort-bench floor`: the gateway's HTTP stack with nothing of the gateway in it, to
/// split the latency `retort serve` adds into what the stack costs and what Retort does.
///
/// It serves, on the same server the gateway uses (its HTTP/1 channel, ``LoopBoundHTTP1Channel``,
/// under Hummingbird's router, each connection's handlers on its event loop):
/// - `POST /static/v1/chat/completions`: reads the body and answers a fixed completion, the
///   cost of the HTTP server alone;
/// - `POST /proxy/v1/chat/completions`: reads the body, sends it to the teacher through the
///   gateway's ``TeacherClient`` (keep-alive; the event-loop transport for a plain-HTTP teacher) and answers the teacher's bytes, the
///   server plus the teacher hop, with no parsing, routing or logging.
///
/// `bench/gateway-load.sh` runs it next to the gateway when `FLOOR=1`.
struct FloorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor", abstract: "Serve the gateway's HTTP stack bare (static answer and plain proxy) for load comparisons."
    )

    @Option(help: "Port to listen on (127.0.0.1).") var port = 18090
    @Option(help: "The teacher's base URL for /proxy.") var teacher = "http://127.0.0.1:18080/v1"

    func run() async throws {
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: teacher, retry: .never))
        let limit = 1 << 20
        let answer = ByteBuffer(string: #"{"id":"chatcmpl-floor","object":"chat.completion","created":1764000000,"model":"floor","choices":[{"index":0,"message":{"role":"assistant","content":"A short answer from the floor."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}"#)
        let router = Router()
        router.post("static/v1/chat/completions") { request, _ in
            _ = try await request.body.collect(upTo: limit)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: answer))
        }
        router.post("proxy/v1/chat/completions") { request, _ in
            let body = try await request.body.collect(upTo: limit)
            let reply = try await client.send(TeacherRequest(
                path: "/chat/completions", headers: [("content-type", "application/json")], body: Array(buffer: body)))
            let bytes = try await reply.body.collect(upTo: limit)
            return Response(status: HTTPResponse.Status(code: reply.status), headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let responder = router.buildResponder()
        let app = Application(
            responder: responder, server: .loopBoundHTTP1(responder: responder, configuration: .init(), serverName: "retort-floor"),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "retort-floor")
        )
        try await app.runService()
    }
}
