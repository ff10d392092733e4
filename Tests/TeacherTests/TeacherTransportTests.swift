import Foundation
import Testing
import TestSupport

@testable import Teacher

@Suite("TeacherClient transport choice")
struct TeacherTransportTests {
    @Test("a plain http base URL becomes an endpoint: host, port, Host header, request targets")
    func endpointFromBaseURL() throws {
        let local = try #require(EventLoopTransport.Endpoint(baseURL: "http://127.0.0.1:8080/v1"))
        #expect(local.host == "127.0.0.1" && local.port == 8080 && local.authority == "127.0.0.1:8080")
        #expect(local.address != nil)  // numeric: no resolver per connection
        #expect(local.target(of: "http://127.0.0.1:8080/v1/chat/completions") == "/v1/chat/completions")
        #expect(local.target(of: "http://127.0.0.1:8080") == "/")

        let named = try #require(EventLoopTransport.Endpoint(baseURL: "HTTP://teacher.lan/v1?x=1"))
        #expect(named.host == "teacher.lan" && named.port == 80 && named.address == nil)
        #expect(named.target(of: "HTTP://teacher.lan/v1/models") == "/v1/models")

        let v6 = try #require(EventLoopTransport.Endpoint(baseURL: "http://[::1]:9000/v1"))
        #expect(v6.host == "::1" && v6.port == 9000 && v6.authority == "[::1]:9000")
        #expect(EventLoopTransport.Endpoint(baseURL: "http://[::1]/v1")?.port == 80)
    }

    @Test("what the event-loop transport does not carry is refused", arguments: [
        "https://api.openai.com/v1",  // TLS
        "http://user:secret@teacher.lan/v1",  // credentials in the URL
        "http://teacher.lan:99999/v1", "http://teacher.lan:port/v1", "http://:80/v1", "http://[::1/v1",
    ])
    func endpointRefused(baseURL: String) {
        #expect(EventLoopTransport.Endpoint(baseURL: baseURL) == nil)
    }

    @Test("automatic picks event loops for plain http and curl for TLS, credentials or a proxy")
    func automaticChoice() {
        func driver(_ url: String, _ transport: TeacherConfiguration.Transport = .automatic,
                    environment: [String: String] = [:]) -> (any TransferDriver)? {
            let driver = TeacherClient.makeDriver(
                TeacherConfiguration(baseURL: url, transport: transport), baseURL: url, environment: environment)
            driver?.close()
            return driver
        }
        #expect(driver("http://127.0.0.1:8080/v1") is EventLoopTransport)
        #expect(driver("https://api.openai.com/v1") is CurlEventLoop)
        #expect(driver("http://user:pw@127.0.0.1:8080/v1") is CurlEventLoop)
        #expect(driver("http://127.0.0.1:8080/v1", environment: ["http_proxy": "http://proxy:3128"]) is CurlEventLoop)
        #expect(driver("http://127.0.0.1:8080/v1", environment: ["ALL_PROXY": "socks5://proxy"]) is CurlEventLoop)
        #expect(driver("http://127.0.0.1:8080/v1", environment: ["http_proxy": ""]) is EventLoopTransport)
        #expect(driver("http://127.0.0.1:8080/v1", .curl) is CurlEventLoop)
        // Asked for event loops, a proxy is ignored; TLS still needs curl.
        #expect(driver("http://127.0.0.1:8080/v1", .eventLoops, environment: ["http_proxy": "http://p"]) is EventLoopTransport)
        #expect(driver("https://api.openai.com/v1", .eventLoops) is CurlEventLoop)
    }

    @Test("a host name is resolved off the loop and the request carried")
    func hostName() async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let baseURL = mock.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: baseURL, retry: .never, transport: .eventLoops))
        let response = try await client.send(chatRequest())
        #expect(response.status == 200)
        #expect(mock.requests.first?.header("host") == baseURL.dropFirst("http://".count).prefix { $0 != "/" }.description)
    }
}
