import Teacher
import TestSupport

/// Short limits so failure paths finish in well under a second.
func makeClient(
    _ mock: MockTeacher, transport: TeacherConfiguration.Transport = .automatic, maxAttempts: Int = 3, firstByte: Duration = .seconds(5), idle: Duration = .seconds(5),
    total: Duration = .seconds(10)
) -> TeacherClient {
    TeacherClient(configuration: TeacherConfiguration(
        baseURL: mock.baseURL, apiKey: "sk-test-secret", connectTimeout: .seconds(2),
        firstByteTimeout: firstByte, idleTimeout: idle, totalTimeout: total,
        retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40)),
        transport: transport))
}

extension TeacherConfiguration.Transport {
    /// The two transports a plain-HTTP mock can be reached by: each client test runs on both.
    static let tested: [Self] = [.curl, .eventLoops]
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
