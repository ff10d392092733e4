import Teacher
import Testing
import TestSupport

@Suite("TeacherClient retries")
struct TeacherRetryTests {
    @Test("429 with Retry-After, then success: two attempts, the wait honoured", arguments: TeacherConfiguration.Transport.tested)
    func tooManyRequestsThenSuccess(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.status(429, retryAfter: "1", body: MockTeacher.errorJSON(message: "slow down"))])
        let start = ContinuousClock.now
        let response = try await makeClient(mock, transport: transport).send(chatRequest())
        let elapsed = ContinuousClock.now - start
        #expect(response.status == 200)
        #expect(response.attempts == 2)
        #expect(elapsed >= .milliseconds(950))  // backoff alone would wait at most 10 ms
        #expect(mock.requests.count == 2)
        #expect(mock.acceptedConnections == 1)  // the error body was read; the connection kept
    }

    @Test("500 on every attempt: the last 500 comes back with its body", arguments: TeacherConfiguration.Transport.tested)
    func serverErrorExhausted(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([
            .status(500, body: MockTeacher.errorJSON(message: "first")),
            .status(500, body: MockTeacher.errorJSON(message: "second")),
            .status(500, body: MockTeacher.errorJSON(message: "third")),
        ])
        let response = try await makeClient(mock, transport: transport).send(chatRequest())
        #expect(response.status == 500)
        #expect(response.attempts == 3)
        #expect(text(try await response.body.collect(upTo: 4096)) == MockTeacher.errorJSON(message: "third"))
        #expect(mock.requests.count == 3)
    }

    @Test("a non-retryable status is returned at once", arguments: TeacherConfiguration.Transport.tested)
    func badRequestNotRetried(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.status(400, body: MockTeacher.errorJSON(message: "bad", type: "invalid_request_error"))])
        let response = try await makeClient(mock, transport: transport).send(chatRequest())
        #expect(response.status == 400)
        #expect(response.attempts == 1)
        #expect(mock.requests.count == 1)
    }

    @Test("a Retry-After beyond the cap is not waited for: the 429 goes back", arguments: TeacherConfiguration.Transport.tested)
    func retryAfterTooLong(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.status(429, retryAfter: "3600", body: MockTeacher.errorJSON(message: "later"))])
        let response = try await makeClient(mock, transport: transport).send(chatRequest())
        #expect(response.status == 429)
        #expect(response.header("retry-after") == "3600")
        #expect(response.attempts == 1)
    }

    @Test("a connection closed without a reply is retried", arguments: TeacherConfiguration.Transport.tested)
    func closeWithoutReplyRetried(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.closeWithoutReply])
        let response = try await makeClient(mock, transport: transport).send(chatRequest())
        #expect(response.status == 200)
        #expect(response.attempts == 2)
        #expect(mock.acceptedConnections == 2)
    }

    @Test("a kept connection closed unanswered is replaced once, not counted as an attempt",
          arguments: TeacherConfiguration.Transport.tested)
    func staleKeptConnectionReplaced(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let client = makeClient(mock, transport: transport, maxAttempts: 1)
        _ = try await client.send(chatRequest(text: "first")).body.collect(upTo: 1 << 20)
        mock.enqueue([.closeWithoutReply])  // the kept connection reads the next request and closes
        let response = try await client.send(chatRequest(text: "second"))
        #expect(response.status == 200)
        #expect(response.attempts == 1)
        #expect(mock.acceptedConnections == 2)
        #expect(mock.requests.map(\.connectionID) == [1, 1, 2])
    }

    @Test("a connection that sent more than the answer is not reused", arguments: TeacherConfiguration.Transport.tested)
    func excessBytesRetireTheConnection(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let answer = MockTeacher.completionJSON(content: "first")
        // A whole answer, then the head of a second one nobody asked for, with a body to come.
        let bytes = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\n\r\n\(answer)"
            + "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"
        mock.enqueue([.raw(Array(bytes.utf8))])
        let client = makeClient(mock, transport: transport, maxAttempts: 1)
        let first = try await client.send(chatRequest(text: "first"))
        #expect(text(try await first.body.collect(upTo: 1 << 20)) == answer)
        try await Task.sleep(for: .milliseconds(50))  // the excess has arrived
        let second = try await client.send(chatRequest(text: "second"))
        #expect(second.status == 200)
        #expect(text(try await second.body.collect(upTo: 1 << 20)).contains("\"object\":\"chat.completion\""))
        #expect(mock.acceptedConnections == 2)
    }

    @Test("a refused connection fails as unreachable after every attempt", arguments: TeacherConfiguration.Transport.tested)
    func connectionRefused(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        let baseURL = mock.baseURL
        mock.shutdown()
        try await Task.sleep(for: .milliseconds(150))  // the listener closes within its poll interval
        let client = TeacherClient(configuration: TeacherConfiguration(
            baseURL: baseURL, apiKey: "sk-test-secret",
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .milliseconds(100)), transport: transport))
        let start = ContinuousClock.now
        let error = await #expect(throws: TeacherError.self) {
            _ = try await client.send(chatRequest())
        }
        guard case .unreachable(let detail) = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(!detail.contains("sk-test-secret"))
        #expect(error?.suggestedHTTPStatus == 502)
        // Three attempts mean two backoff waits; with full jitter at most 200 ms in all.
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test("retrying stops after maxAttempts connection failures", arguments: TeacherConfiguration.Transport.tested)
    func closeWithoutReplyExhausted(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.closeWithoutReply, .closeWithoutReply])
        let error = await #expect(throws: TeacherError.self) {
            _ = try await makeClient(mock, transport: transport, maxAttempts: 2).send(chatRequest())
        }
        #expect(error.map { if case .unreachable = $0 { true } else { false } } == true)
        #expect(mock.requests.count == 2)
    }
}
