import Foundation
@testable import Teacher
import Testing
import TestSupport

@Suite("TeacherClient transports")
struct TeacherTransportTests {
    @Test("plain http travels on the event loops; https, user info, a proxy or the curl setting on curl")
    func choice() {
        let environment = ProcessInfo.processInfo.environment
        let proxied = ["http_proxy", "all_proxy", "ALL_PROXY"].contains { !(environment[$0] ?? "").isEmpty }
        func onLoops(_ url: String, _ transport: TeacherTransport = .automatic) -> Bool {
            TeacherClient(configuration: TeacherConfiguration(baseURL: url, transport: transport)).usesEventLoops
        }
        #expect(onLoops("http://127.0.0.1:9/v1") == !proxied)
        #expect(onLoops("HTTP://[::1]:9/v1") == !proxied)
        #expect(!onLoops("https://api.openai.com/v1"))
        #expect(!onLoops("http://user:secret@127.0.0.1:9/v1"))
        #expect(!onLoops("http://127.0.0.1:9/v1", .curl))
    }

    @Test("a plain http URL splits into host, port and request target", arguments: [
        ("http://127.0.0.1:8080/v1/chat/completions", "127.0.0.1", 8080, "/v1/chat/completions"),
        ("http://teacher/v1/models?limit=2#top", "teacher", 80, "/v1/models?limit=2"),
        ("http://[::1]:9000", "::1", 9000, "/"),
        ("http://Host.example:1/", "Host.example", 1, "/"),
    ])
    func parse(url: String, host: String, port: Int, target: String) throws {
        let (endpoint, parsedTarget) = try #require(HTTPEndpoint.parse(url))
        #expect(endpoint == HTTPEndpoint(host: host, port: port))
        #expect(parsedTarget == target)
    }

    @Test("URLs the event loops do not take", arguments: [
        "https://api.openai.com/v1", "http://user@host/v1", "http://host:0/v1", "http://host:99999/", "http://:80/",
        "http://[::1/v1", "http://host:port/v1", "ftp://host/",
    ])
    func refuse(url: String) {
        #expect(HTTPEndpoint.parse(url) == nil)
    }

    @Test("the Host header carries the port unless it is 80, and brackets an IPv6 address")
    func authority() {
        #expect(HTTPEndpoint(host: "teacher", port: 80).authority == "teacher")
        #expect(HTTPEndpoint(host: "127.0.0.1", port: 8080).authority == "127.0.0.1:8080")
        #expect(HTTPEndpoint(host: "::1", port: 9000).authority == "[::1]:9000")
    }

    @Test("the mock sees the Host, length and headers of a request sent on the event loops")
    func wireHeaders() async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let client = makeClient(mock)
        let response = try await client.send(chatRequest())
        _ = try await response.body.collect(upTo: 1 << 20)
        let request = try #require(mock.requests.first)
        let port = try #require(URL(string: mock.baseURL)?.port)
        #expect(request.header("host") == "127.0.0.1:\(port)")
        #expect(request.header("content-length") == String(chatBody().count))
        #expect(request.header("content-type") == "application/json")
        #expect(request.header("expect") == nil)
    }
}
