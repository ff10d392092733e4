import Foundation
import Teacher
import TestSupport

/// The transport these tests run on: the default (event loops for the mock's plain `http`),
/// or curl with `RETORT_TEST_TEACHER_TRANSPORT=curl` (`scripts/test.sh` runs them both ways).
let transportUnderTest = TeacherTransport(rawValue: ProcessInfo.processInfo.environment["RETORT_TEST_TEACHER_TRANSPORT"] ?? "")
    ?? .automatic

extension TeacherConfiguration {
    /// This configuration on ``transportUnderTest``.
    var underTest: TeacherConfiguration {
        var configuration = self
        configuration.transport = transportUnderTest
        return configuration
    }
}

/// Short limits so failure paths finish in well under a second.
func makeClient(
    _ mock: MockTeacher, maxAttempts: Int = 3, firstByte: Duration = .seconds(5), idle: Duration = .seconds(5),
    total: Duration = .seconds(10)
) -> TeacherClient {
    TeacherClient(configuration: TeacherConfiguration(
        baseURL: mock.baseURL, apiKey: "sk-test-secret", connectTimeout: .seconds(2),
        firstByteTimeout: firstByte, idleTimeout: idle, totalTimeout: total,
        retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40))).underTest)
}

/// A chat request body.
func chatBody(stream: Bool = false, text: String = "hi there", extra: String = "") -> [UInt8] {
    Array("{\"model\":\"gpt-test\",\"stream\":\(stream),\"messages\":[{\"role\":\"user\",\"content\":\"\(text)\"}]\(extra)}".utf8)
}

/// A chat-completions request.
func chatRequest(stream: Bool = false, text: String = "hi there", extra: String = "") -> TeacherRequest {
    TeacherRequest(path: "/chat/completions", headers: [("Content-Type", "application/json")], body: chatBody(stream: stream, text: text, extra: extra))
}

/// The body as text.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}
