import ChatAPI

/// The teacher's answer: its response head and a body that is still arriving.
public struct TeacherResponse: Sendable {
    /// The HTTP status code of the final response (after any `1xx`).
    public let status: Int
    /// The response headers in the order received, names as sent by the teacher.
    public let headers: [(name: String, value: String)]
    /// The body, chunk by chunk as it arrives.
    public let body: TeacherBody
    /// How many attempts it took (1 when the first one answered).
    public let attempts: Int

    /// Creates a response; ``TeacherClient`` makes these, tests and stand-in teachers may too.
    public init(status: Int, headers: [(name: String, value: String)], body: TeacherBody, attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Whether the body is a server-sent event stream (`Content-Type: text/event-stream`).
    public var isEventStream: Bool {
        header("content-type")?.hasPrefixIgnoringASCIICase("text/event-stream") ?? false
    }
}
