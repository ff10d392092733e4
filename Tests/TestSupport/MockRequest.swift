import Foundation

/// One request as ``MockTeacher`` received it.
public struct MockRequest: Sendable {
    /// The HTTP method, e.g. `POST`.
    public let method: String
    /// The request target, e.g. `/v1/chat/completions`.
    public let path: String
    /// The header fields in order, names as sent.
    public let headers: [(name: String, value: String)]
    /// The body bytes (de-chunked when sent chunked).
    public let body: [UInt8]
    /// Which accepted connection (1, 2, …) carried the request.
    public let connectionID: Int

    /// Creates a request record.
    public init(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8], connectionID: Int) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.connectionID = connectionID
    }

    /// The first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var bodyString: String {
        String(decoding: body, as: UTF8.self)
    }

    /// The body parsed as a JSON object, or `nil` when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}
