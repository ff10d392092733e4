/// How ``TeacherClient`` reaches the upstream model server (the "teacher").
///
/// Keys and defaults:
/// - `baseURL` (`String`, required): e.g. `https://api.openai.com/v1`; request paths are appended.
/// - `apiKey` (`String?`, `nil`): sent as `Authorization: Bearer …` (or `x-api-key`, see
///   `keyHeader`); never logged nor put in errors.
/// - `connectTimeout` (`Duration`, 10 s): TCP (and TLS) connection set-up.
/// - `firstByteTimeout` (`Duration`, 120 s): from the start of an attempt until the first byte
///   of the response head. Large because a non-streaming completion may think for minutes.
/// - `idleTimeout` (`Duration`, 60 s): the longest gap allowed between two received chunks.
/// - `totalTimeout` (`Duration`, 600 s): one whole attempt, head and body.
/// - `retry` (``RetryPolicy``, 3 attempts): when and how long to back off.
/// - `maxConcurrentTransfers` (`Int`, 512): transfers in flight at once; more are refused
///   with ``TeacherError/overloaded(limit:)``.
/// - `transport` (``Transport``, `.automatic`): what carries the requests.
public struct TeacherConfiguration: Sendable {
    /// The upstream's base URL, `http` or `https`; request paths are appended to it.
    public var baseURL: String
    /// The upstream API key. Never logged.
    public var apiKey: String?
    /// How the key is sent: `Authorization: Bearer` (OpenAI and compatible servers) or
    /// `x-api-key` (Anthropic).
    public var keyHeader: KeyHeader

    /// The header that carries ``apiKey``.
    public enum KeyHeader: Sendable {
        /// `Authorization: Bearer <key>`.
        case bearer
        /// `x-api-key: <key>`.
        case xAPIKey
    }
    /// Limit on establishing the connection (TCP and TLS handshakes).
    public var connectTimeout: Duration
    /// Limit from the start of an attempt until the response head begins to arrive.
    public var firstByteTimeout: Duration
    /// Longest allowed silence between two received chunks once the response began.
    public var idleTimeout: Duration
    /// Limit on one whole attempt, from connecting to the last body byte.
    public var totalTimeout: Duration
    /// When to retry and how long to wait in between.
    public var retry: RetryPolicy
    /// Most transfers in flight at once (each holds a connection and buffers).
    public var maxConcurrentTransfers: Int
    /// What carries the requests.
    public var transport: Transport

    /// What carries a client's requests to the teacher.
    public enum Transport: String, Sendable, CaseIterable {
        /// ``eventLoops`` for a plain `http` URL without credentials when no proxy is set in
        /// the environment (`http_proxy`, `all_proxy`, `ALL_PROXY`), ``curl`` otherwise.
        case automatic
        /// libcurl on one thread of its own: TLS, proxies, credentials in the URL.
        case curl
        /// Keep-alive connections on the calling task's SwiftNIO event loop; plain HTTP only.
        /// No thread hand-off per request: the fastest way to a teacher on this machine or
        /// the LAN.
        case eventLoops = "event-loops"
    }

    /// Creates a configuration; every limit has the default documented on the type.
    public init(
        baseURL: String,
        apiKey: String? = nil,
        keyHeader: KeyHeader = .bearer,
        connectTimeout: Duration = .seconds(10),
        firstByteTimeout: Duration = .seconds(120),
        idleTimeout: Duration = .seconds(60),
        totalTimeout: Duration = .seconds(600),
        retry: RetryPolicy = RetryPolicy(),
        maxConcurrentTransfers: Int = 512,
        transport: Transport = .automatic
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.keyHeader = keyHeader
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.retry = retry
        self.maxConcurrentTransfers = maxConcurrentTransfers
        self.transport = transport
    }
}
