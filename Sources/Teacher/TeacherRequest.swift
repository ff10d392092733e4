/// One HTTP request to the teacher, relative to ``TeacherConfiguration/baseURL``.
public struct TeacherRequest: Sendable {
    /// The HTTP method; `POST` by default.
    public var method: String
    /// The path appended to the base URL, e.g. `/chat/completions`.
    public var path: String
    /// Extra request headers, e.g. `content-type` and `accept`. `Authorization` comes from
    /// the configuration's API key; a value given here for it is sent as is.
    public var headers: [(String, String)]
    /// The request body, sent byte for byte.
    public var body: [UInt8]

    /// Creates a request; a `POST` with an empty body unless told otherwise.
    public init(method: String = "POST", path: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}
