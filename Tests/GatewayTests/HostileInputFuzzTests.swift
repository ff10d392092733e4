import ChatAPI
import Corpus
import Foundation
import Gateway
import Teacher
import TestSupport
import Testing

/// Seeded, replayable hostile input against the live gateway: mutated request bodies,
/// garbage request heads, and mangled SSE streams from a misbehaving teacher. The process
/// never crashes, every error is OpenAI-shaped, and every exchange the gateway answered
/// with an id is in the corpus.
///
/// `RETORT_FUZZ_SEED` replays a run (a failure names its seed and case);
/// `RETORT_FUZZ_ITERATIONS` makes it longer.
@Suite struct HostileInputFuzzTests {
    static let seed = ProcessInfo.processInfo.environment["RETORT_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_203
    static let iterations = ProcessInfo.processInfo.environment["RETORT_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 150

    /// A valid body of each surface, the start of every mutation.
    static let validBodies = [
        "/v1/chat/completions": chatBody(text: "fuzz me", extra: #","temperature":0.5,"max_tokens":20,"user":"u1""#),
        "/v1/responses": #"{"model":"default","instructions":"x","input":[{"role":"user","content":[{"type":"input_text","text":"fuzz me"}]}],"max_output_tokens":20,"stream":false}"#,
        "/v1/messages": #"{"model":"default","max_tokens":20,"system":"x","messages":[{"role":"user","content":[{"type":"text","text":"fuzz me"}]}],"stream":false}"#,
    ]

    @Test(arguments: ["/v1/chat/completions", "/v1/responses", "/v1/messages"])
    func mutatedBodiesGetShapedErrorsAndNothingAnsweredIsLost(path: String) async throws {
        let harness = try GatewayHarness()
        let ids = try await harness.run { _, gateway in try await Self.sendMutatedBodies(port: gateway.port, path: path) }
        try Self.expectLogged(ids, harness)
    }

    static func sendMutatedBodies(port: Int, path: String = "/v1/chat/completions") async throws -> [String] {
        var random = SplitMix64(seed: seed)
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(port)", retry: .never))
        var answered: [String] = []
        let valid = Array(validBodies[path, default: ""].utf8)
        for index in 0..<iterations {
            let body = BodyMutator.mutate(valid, &random)
            let contentType = ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", ""]
                .randomElement(using: &random)!
            let headers = contentType.isEmpty ? [] : [("Content-Type", contentType)]
            let response = try await client.send(TeacherRequest(path: path, headers: headers, body: body))
            let reply = try await response.body.collect(upTo: 1 << 22)
            let context = "seed \(seed) \(path) case \(index): \(String(decoding: body.prefix(120), as: UTF8.self))"
            if response.status == 200 {
                let id = try #require(response.header("x-retort-exchange-id"), "\(context)")
                answered.append(id)
            } else {
                let error = (try? JSONValue.parse(reply))?["error"]
                #expect([400, 404, 413, 415].contains(response.status), "\(context): status \(response.status)")
                #expect(error?["message"]?.stringValue?.isEmpty == false, "\(context)")
            }
        }
        let health = try await client.send(TeacherRequest(method: "GET", path: "/healthz"))
        #expect(health.status == 200)
        return answered
    }

    @Test func garbageRequestHeadsNeverCrashTheServer() async throws {
        let harness = try GatewayHarness()
        try await harness.run { _, gateway in try await Self.sendGarbageHeads(port: gateway.port) }
    }

    static func sendGarbageHeads(port: Int) async throws {
        var random = SplitMix64(seed: seed &+ 1)
        for index in 0..<iterations {
            let client = try RawClient(port: port)
            let head = HeadMutator.request(&random)
            client.send(head)
            let (text, _) = client.readUntilClosed(timeout: .seconds(2))
            #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 "), "seed \(seed) case \(index): \(head.prefix(200).debugDescription)")
        }
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(port)", retry: .never))
        #expect(try await client.send(TeacherRequest(method: "GET", path: "/healthz")).status == 200)
    }

    /// Mangled chat streams reach chat clients as relayed, and Responses and Messages
    /// clients through the stream encoders.
    @Test(arguments: ["/v1/chat/completions", "/v1/responses", "/v1/messages"])
    func mangledTeacherStreamsAreRelayedOrFailedAndAlwaysLogged(path: String) async throws {
        let seed = Self.seed
        let harness = try GatewayHarness(handler: { request in StreamMangler.reply(to: request, seed: seed) })
        let ids = try await harness.run { _, gateway in try await Self.askForStreams(port: gateway.port, path: path) }
        #expect(ids.count == Self.iterations)
        try Self.expectLogged(ids, harness)
        #expect(try harness.rows().count == Self.iterations)  // one row per request, whatever the teacher did
    }

    static func askForStreams(port: Int, path: String) async throws -> [String] {
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(port)", retry: .never))
        var ids: [String] = []
        for index in 0..<iterations {
            let stream = index % 4 != 3
            let body = switch path {
            case "/v1/responses": #"{"model":"default","input":"fuzz \#(index)","stream":\#(stream)}"#
            case "/v1/messages": #"{"model":"default","max_tokens":50,"messages":[{"role":"user","content":"fuzz \#(index)"}],"stream":\#(stream)}"#
            default: chatBody(stream: stream, text: "fuzz \(index)")
            }
            let response = try await client.send(TeacherRequest(path: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8)))
            _ = try? await response.body.collect(upTo: 1 << 24)
            let id = try #require(response.header("x-retort-exchange-id"), "seed \(seed) case \(index): status \(response.status)")
            ids.append(id)
        }
        return ids
    }

    /// Every id the gateway answered with is a row of the corpus.
    static func expectLogged(_ ids: [String], _ harness: GatewayHarness) throws {
        let stored = Set(try harness.rows().map(\.id))
        let missing = ids.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "seed \(seed): \(missing.count) answered exchanges not logged")
    }
}

/// Mutations of a valid request body: flipped, inserted and deleted bytes, truncation,
/// and fragments that break parsers (deep nesting, huge numbers, lone surrogates, NULs).
enum BodyMutator {
    static let fragments = [
        "1e999", "-0", #""\ud800""#, String(repeating: "[", count: 300), #"{"a":"#, "null", "true", "\u{0}",
        "123456789012345678901234567890", #""\u0000""#, String(repeating: "9", count: 400), #"{"":{"":{"":{}}}}"#,
        #""stream":"yes""#, #""n":-1"#, #""max_tokens":1e10"#, #""messages":"text""#, #""model":null"#, "\u{FEFF}",
        #""\uDFFF\uD800""#, "\u{1F600}", #""content":[{"type":"image_url"}]"#, #","#, "}", "]",
    ]

    static func mutate(_ valid: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = valid
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 2 where !bytes.isEmpty: bytes.remove(at: at)
            case 3: bytes = Array(bytes.prefix(at))
            case 4: bytes.insert(contentsOf: Array(fragments.randomElement(using: &random)!.utf8), at: at)
            default: continue  // some cases stay valid: they must be answered and logged
            }
        }
        return bytes
    }
}

/// Request heads no client library would send.
enum HeadMutator {
    static func request(_ random: inout SplitMix64) -> String {
        let lines = [
            "X-Retort-Tags: " + String(repeating: "t,", count: Int.random(in: 0...2000, using: &random)),
            "X-Retort-Task: \u{7}\u{1}task",
            "Authorization: Bearer " + String(repeating: "k", count: Int.random(in: 0...20_000, using: &random)),
            "Host: " + ["evil.example", "", "[::1", "127.0.0.1:99999", "localhost"].randomElement(using: &random)!,
            "Content-Length: " + ["-1", "abc", "99999999999999999999", "5", "0"].randomElement(using: &random)!,
            "Transfer-Encoding: chunked",
            "Origin: null",
            "NoColonHere",
            ": empty-name",
            "X-Big: " + String(repeating: "b", count: Int.random(in: 0...100_000, using: &random)),
            "Content-Type: application/json",
        ]
        var head = ["POST /v1/chat/completions HTTP/1.1", "GET /admin/stats HTTP/1.1", "POST /v1/feedback HTTP/1.0",
                    "BREW /coffee HTCPCP/1.0", "GET /../../etc/passwd HTTP/1.1", "POST /v1/chat/completions HTTP/9.9"]
            .randomElement(using: &random)!
        for _ in 0..<Int.random(in: 0...6, using: &random) { head += "\r\n" + lines.randomElement(using: &random)! }
        head += "\r\nConnection: close\r\n\r\n"
        let bodies = ["", "{", chatBody(), "5\r\nhello\r\n0\r\n\r\n", "zz\r\nbad chunk\r\n", String(repeating: "x", count: 3000)]
        return head + bodies.randomElement(using: &random)!
    }
}

/// A teacher that answers each request (`"fuzz N"` in its content) with a stream mangled
/// by a generator seeded from the run's seed and N: garbage lines, events without their
/// blank line, broken JSON, error events, CR line endings, no `[DONE]`, random write
/// boundaries, resets and stalls.
enum StreamMangler {
    static func reply(to request: MockRequest, seed: UInt64) -> MockReply {
        let text = String(decoding: request.body, as: UTF8.self)
        let number = text.range(of: "fuzz ").flatMap { UInt64(text[$0.upperBound...].prefix { $0.isNumber }) } ?? 0
        var random = SplitMix64(seed: seed ^ (number &* 0x9E37_79B9))
        if !text.contains(#""stream":true"#) {
            return [MockReply.json(body: MockTeacher.completionJSON(content: "plain")), .json(body: "{not json"),
                    .status(500), .closeWithoutReply].randomElement(using: &random)!
        }
        var events = MockTeacher.streamEvents(content: "a mangled answer for case \(number)", chunks: Int.random(in: 1...8, using: &random))
        let garbage = ["{not json", #"{"error":{"message":"upstream hiccup"}}"#, "", "x\ndata: y", "line\r\rdata: cr", ": comment",
                       #"{"choices":[{"index":7,"delta":{"content":5}}]}"#, #"{"choices":"none"}"#, "[DONE] trailing", "\u{0}"]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            events.insert(garbage.randomElement(using: &random)!, at: Int.random(in: 0...events.count, using: &random))
        }
        if Bool.random(using: &random) { events.removeLast() }  // no [DONE]
        let split: MockSplitMode = Bool.random(using: &random) ? .randomBoundaries(seed: random.next()) : .whole
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return .resetAfter(events: Array(events.prefix(2)))
        case 1: return .stall(afterEvents: Array(events.prefix(2)))
        case 2: return .stream(events: events, splitAt: split, framing: .closeDelimited)
        default: return .stream(events: events, splitAt: split)
        }
    }
}
