import Foundation
import Teacher
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("MockTeacher")
struct MockTeacherTests {
    @Test("the default reply streams tool-call deltas, a usage chunk and [DONE] when asked")
    func defaultStreamWithToolsAndUsage() async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let extra = ",\"stream_options\":{\"include_usage\":true},\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}]"
        let response = try await makeClient(mock).send(chatRequest(stream: true, text: "find it", extra: extra))
        let payloads = text(try await response.body.collect(upTo: 1 << 20))
            .components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { String($0.dropFirst("data: ".count)) }
        #expect(payloads.last == "[DONE]")
        let chunks = payloads.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(chunks.count == payloads.count - 1)
        let usageChunk = try #require(chunks.last)
        #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
        #expect((usageChunk["usage"] as? [String: Any])?["total_tokens"] as? Int != nil)
        let calls = chunks.compactMap { chunk -> [String: Any]? in
            let delta = ((chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])
            return (delta?["tool_calls"] as? [[String: Any]])?.first
        }
        #expect(calls.first?["id"] as? String == "call_mock_1")
        #expect((calls.first?["function"] as? [String: Any])?["name"] as? String == "lookup")
        #expect(calls.dropFirst().allSatisfy { $0["id"] == nil })
        let arguments = calls.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined()
        #expect(arguments == "{\"text\":\"find it\"}")
        #expect(calls.count == 4)
    }

    @Test("the default reply honours n and the model")
    func defaultCompletionWithChoices() async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let response = try await makeClient(mock).send(chatRequest(extra: ",\"n\":3"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try await response.body.collect(upTo: 1 << 20))) as? [String: Any])
        #expect(json["model"] as? String == "gpt-test")
        #expect((json["choices"] as? [Any])?.count == 3)
        #expect(json["object"] as? String == "chat.completion")
    }

    @Test("a chunked request body is de-chunked; pipelined keep-alive requests are answered in order")
    func chunkedRequestBody() throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.json(body: "{\"a\":1}"), .json(status: 201, body: "{}", headers: [("X-Extra", "yes")])])
        let body = "{\"model\":\"m\",\"messages\":[]}"
        let half = body.utf8.count / 2
        let chunked = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + String(half, radix: 16) + "\r\n" + String(body.prefix(half)) + "\r\n"
            + String(body.utf8.count - half, radix: 16) + ";ext=1\r\n" + String(body.dropFirst(half)) + "\r\n0\r\n\r\n"
        let plain = "GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let reply = try rawExchange(port: mock.port, send: chunked + plain)
        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.contains("\r\n\r\n{\"a\":1}HTTP/1.1 201 "))
        #expect(reply.contains("X-Extra: yes\r\n"))
        #expect(mock.requests.map(\.bodyString) == [body, ""])
        #expect(mock.requests.map(\.path) == ["/v1/chat/completions", "/v1/models"])
        #expect(mock.acceptedConnections == 1)
    }

    /// Sends `request` on a fresh connection and reads until the server closes it.
    private func rawExchange(port: Int, send request: String) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let bytes = Array(request.utf8)
        #expect(bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) } == bytes.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
