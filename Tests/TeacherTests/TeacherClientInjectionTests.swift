import Foundation
import Testing
import TestSupport

@testable import Teacher

@Suite("TeacherClient with injected clock and randomness")
struct TeacherClientInjectionTests {
    @Test("an HTTP-date Retry-After is measured against the injected wall clock")
    func retryAfterDate() async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"  // 784111777 s after 1970
        mock.enqueue([.status(503, retryAfter: date, body: MockTeacher.errorJSON(message: "busy"))])
        let client = TeacherClient(
            configuration: TeacherConfiguration(baseURL: mock.baseURL, retry: RetryPolicy(baseDelay: .seconds(5))),
            unitRandom: { 0.99 }, wallClock: { 784_111_777 - 0.3 })
        let start = ContinuousClock.now
        let response = try await client.send(chatRequest())
        let elapsed = ContinuousClock.now - start
        #expect(response.status == 200)
        #expect(response.attempts == 2)
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(3))  // not the ~5 s backoff
    }

    @Test("the injected random number sets the backoff: zero means no wait")
    func zeroJitter() async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.status(502), .status(502)])
        let client = TeacherClient(
            configuration: TeacherConfiguration(baseURL: mock.baseURL, retry: RetryPolicy(baseDelay: .seconds(30), maxDelay: .seconds(30))),
            unitRandom: { 0 }, wallClock: { 0 })
        let start = ContinuousClock.now
        let response = try await client.send(chatRequest())
        #expect(response.attempts == 3)
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test("credentials in the base URL stay out of errors; header lines cannot be smuggled")
    func redaction() async throws {
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "gopher://user:secret@host/v1"))
        await #expect(throws: TeacherError.invalidURL("gopher://***@host/v1")) {
            _ = try await client.send(TeacherRequest(path: "/x"))
        }
        let keyed = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://h/v1", apiKey: "sk-1"))
        let lines = keyed.makeHeaderLines(TeacherRequest(path: "/x", headers: [("X-Evil", "a\r\nInjected: 1"), ("Accept", "*/*")], body: [1]))
        #expect(lines == ["Accept: */*", "Authorization: Bearer sk-1", "Content-Type: application/json", "Expect:"])
    }
}
