import Foundation
import Teacher
import Testing
import TestSupport

@Suite("TeacherClient basics")
struct TeacherClientTests {
    @Test("a non-streaming request gets the mock's completion and sends the key and body", arguments: TeacherConfiguration.Transport.tested)
    func nonStreaming(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let client = makeClient(mock, transport: transport)
        let response = try await client.send(chatRequest(text: "what is two plus two"))
        #expect(response.status == 200)
        #expect(response.attempts == 1)
        #expect(response.header("content-type") == "application/json")
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let message = (json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
        #expect(message?["content"] as? String == "what is two plus two")
        let request = try #require(mock.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.header("authorization") == "Bearer sk-test-secret")
        #expect(request.body == chatBody(text: "what is two plus two"))
        #expect(request.header("expect") == nil)
    }

    @Test("sequential requests reuse one keep-alive connection", arguments: TeacherConfiguration.Transport.tested)
    func keepAlive(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let client = makeClient(mock, transport: transport)
        for index in 0..<5 {
            let response = try await client.send(chatRequest(stream: index % 2 == 1))
            _ = try await response.body.collect(upTo: 1 << 20)
        }
        #expect(mock.requests.count == 5)
        #expect(mock.acceptedConnections == 1)
        #expect(Set(mock.requests.map(\.connectionID)) == [1])
    }

    @Test("a GET without a body works and the path joins the base URL", arguments: TeacherConfiguration.Transport.tested)
    func getModels(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let response = try await makeClient(mock, transport: transport).send(TeacherRequest(method: "GET", path: "models"))
        #expect(response.status == 200)
        #expect(text(try await response.body.collect(upTo: 4096)).contains("\"object\":\"list\""))
        #expect(mock.requests.first?.method == "GET")
        #expect(mock.requests.first?.path == "/v1/models")
    }

    @Test("a base URL that is not http(s) is rejected before any connection", arguments: TeacherConfiguration.Transport.tested)
    func invalidURL(transport: TeacherConfiguration.Transport) async throws {
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "ftp://example.com/v1", transport: transport))
        await #expect(throws: TeacherError.invalidURL("ftp://example.com/v1")) {
            _ = try await client.send(TeacherRequest(path: "/chat/completions"))
        }
    }

    @Test("collect(upTo:) fails on a body over its limit", arguments: TeacherConfiguration.Transport.tested)
    func collectLimit(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let response = try await makeClient(mock, transport: transport).send(chatRequest())
        await #expect(throws: TeacherError.bodyTooLarge(limit: 10)) {
            _ = try await response.body.collect(upTo: 10)
        }
    }
}
