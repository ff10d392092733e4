import ChatAPI
import Corpus
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Teacher
import Testing
@testable import Gateway

/// What a web page on another site can make a browser send: DNS rebinding (a foreign
/// `Host`), cross-site form and `text/plain` POSTs, and requests relayed to loopback.
@Suite struct CrossSiteTests {
    let policy = CrossSitePolicy(allowedHosts: ["gateway.internal"], allowedOrigins: ["https://app.example"],
                                 bindHost: "127.0.0.1", machineName: "buildbox")

    @Test func hostsAreAddressesLoopbackNamesOrListed() {
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "app.localhost:1", "[::1]:8080", "192.0.2.7",
                     "gateway.internal:443", "gateway.internal.", "buildbox:8080"] {
            #expect(policy.hostAllowed(host), "\(host)")
        }
        for host in ["evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example", "1.2.3.4.nip.io", "", ":8080",
                     "[::1", "300.1.1.1"] {
            #expect(!policy.hostAllowed(host), "\(host)")
        }
        // IPv4 literals: four numbers of one to three digits up to 255, nothing else.
        for name in ["0.0.0.0", "255.255.255.255", "10.0.0.1"] { #expect(CrossSitePolicy.isIPLiteral(name), "\(name)") }
        for name in ["256.1.1.1", "1.2.3", "1..2.3", ".1.2.3", "1.2.3.", "0001.2.3.4", "1.2.3.4.5", "1.2.3.a", ""] {
            #expect(!CrossSitePolicy.isIPLiteral(name), "\(name)")
        }
        let any = CrossSitePolicy(allowedHosts: ["*"], allowedOrigins: [], bindHost: "0.0.0.0", machineName: nil)
        #expect(any.hostAllowed("evil.example"))
    }

    @Test func originsAreTheGatewaysOwnOrListed() {
        #expect(policy.originAllowed("http://127.0.0.1:8080", host: "127.0.0.1:8080"))
        #expect(policy.originAllowed("https://app.example", host: "127.0.0.1:8080"))
        #expect(!policy.originAllowed("http://evil.example", host: "127.0.0.1:8080"))
        #expect(!policy.originAllowed("http://127.0.0.1:9999", host: "127.0.0.1:8080"))
        #expect(!policy.originAllowed("null", host: "127.0.0.1:8080"))
        #expect(!policy.originAllowed("http://127.0.0.1:8080", host: nil))
    }

    @Test func statePostsNeedJSONAndNoForeignOrigin() throws {
        func status(_ method: HTTPRequest.Method, _ fields: [(String, String)]) -> Int {
            var headers = HTTPFields()
            for (name, value) in fields { headers[HTTPField.Name(name)!] = value }
            do {
                try policy.check(method: method, authority: "127.0.0.1:8080", headers: headers)
                return 200
            } catch let error as OpenAIError {
                return error.status
            } catch {
                return -1
            }
        }
        let json = ("content-type", "application/json; charset=utf-8"), length = ("content-length", "2")
        #expect(status(.post, [json, length]) == 200)
        #expect(status(.post, [("content-type", "application/vnd.api+json"), length]) == 200)
        #expect(status(.post, [("content-type", "text/plain"), length]) == 415)
        #expect(status(.post, [("content-type", "application/x-www-form-urlencoded"), ("content-length", "0")]) == 415)
        #expect(status(.post, [length]) == 415)
        #expect(status(.post, []) == 200)  // no body: `POST /admin/train` with its defaults
        #expect(status(.post, [json, length, ("origin", "http://evil.example")]) == 403)
        #expect(status(.post, [json, length, ("origin", "http://127.0.0.1:8080")]) == 200)
        #expect(status(.post, [json, length, ("sec-fetch-site", "cross-site")]) == 403)
        #expect(status(.get, [("origin", "http://evil.example")]) == 200)  // a read the browser won't hand over
    }

    /// The attacks of the issue, against the live gateway bound to loopback with no admin key.
    @Test func aForeignPageCannotDriveTheLiveGateway() async throws {
        let harness = try GatewayHarness()
        try await harness.run { _, gateway in
            try await Self.attack(port: gateway.port, harness: harness)
        }
        #expect(try harness.rows().isEmpty)
    }

    static func attack(port: Int, harness: GatewayHarness) async throws {
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(port)", retry: .never))
        func send(_ method: String, _ path: String, _ headers: [(String, String)], _ body: String = "") async throws -> String {
            let response = try await client.send(TeacherRequest(method: method, path: path, headers: headers, body: Array(body.utf8)))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return "\(response.status) \(JSONValue.parseOrNull(bytes)["error"]?["code"]?.stringValue ?? "")"
        }
        // DNS rebinding: the page's own name resolves to 127.0.0.1.
        #expect(try await send("GET", "/admin/stats", [("Host", "evil.example:\(port)")]) == "403 host_not_allowed")
        #expect(try await send("GET", "/admin/export", [("Host", "evil.example:\(port)")]) == "403 host_not_allowed")
        #expect(try await send("GET", "/admin/stats", []) == "200 ")
        // A cross-site form or text/plain POST.
        let train = #"{"kind":"sft"}"#
        #expect(try await send("POST", "/admin/train", [("Content-Type", "text/plain"), ("Origin", "http://evil.example")], train)
            == "403 cross_origin_refused")
        #expect(try await send("POST", "/admin/train", [("Content-Type", "text/plain")], train) == "415 unsupported_media_type")
        #expect(try await send("POST", "/v1/chat/completions", [("Content-Type", "application/x-www-form-urlencoded")], chatBody())
            == "415 unsupported_media_type")
        #expect(try await send("POST", "/v1/feedback", [("Content-Type", "text/plain")], #"{"exchange_id":"x","rating":"up"}"#)
            == "415 unsupported_media_type")
        // Relayed by a proxy or tunnel on this machine: the peer is loopback, the client is not.
        #expect(try await send("GET", "/admin/stats", [("X-Forwarded-For", "203.0.113.9")]) == "403 admin_loopback_only")
        #expect(try await send("GET", "/admin/stats", [("Forwarded", "for=203.0.113.9")]) == "403 admin_loopback_only")
        // Nothing reached the corpus or the training table.
        #expect(try TrainingStore(reader: harness.services.reader).runs().isEmpty)
    }

    /// The loopback rule looks at the peer: bound to every interface, a loopback client is
    /// served and one on another interface is not (the bind address used to decide both).
    @Test func theLoopbackRuleReadsThePeerAddress() async throws {
        let port = try freePort()
        let corpus = try AdminTestCorpus {
            $0.host = "0.0.0.0"
            $0.port = port
        }
        let server = Task { try await buildApplication(services: corpus.services).run() }
        defer { server.cancel() }
        func stats(via address: String) async throws -> Int {
            let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://\(address):\(port)", retry: .never))
            for _ in 0..<200 {
                if let response = try? await client.send(TeacherRequest(method: "GET", path: "/admin/stats")) { return response.status }
                try await Task.sleep(for: .milliseconds(20))  // the server is still starting
            }
            throw HarnessError("no answer on \(address):\(port)")
        }
        #expect(try await stats(via: "127.0.0.1") == 200)
        if let outside = nonLoopbackIPv4() { #expect(try await stats(via: outside) == 403) }
    }
}

extension JSONValue {
    /// `bytes` parsed, or `.null` when they are not JSON.
    static func parseOrNull(_ bytes: [UInt8]) -> JSONValue { (try? parse(bytes)) ?? .null }
}
