import ChatAPI
import Teacher

/// The teacher section of the configuration.
///
/// | key | type | default |
/// |---|---|---|
/// | `url` | string | none (`RETORT_TEACHER_URL`) — base URL ending in `/v1` |
/// | `connect_timeout_ms` | int | 10000 |
/// | `first_byte_timeout_ms` | int | 120000 |
/// | `idle_timeout_ms` | int | 60000 (gap between streamed chunks) |
/// | `total_timeout_ms` | int | 600000 |
/// | `max_attempts` | int | 3 (retries on connect failure, 429 and 5xx, before any byte reaches the client) |
/// | `retry_base_delay_ms` | int | 250 |
/// | `retry_max_delay_ms` | int | 8000 |
/// | `inject_stream_usage` | bool | true: ask streams for the usage chunk so the log has token counts |
/// | `max_concurrent_transfers` | int | 512: teacher requests in flight at once; more get a 503 `overloaded` |
/// | `transport` | string | `automatic`: `event-loops` (the gateway's own event loops; plain `http` only) for an `http` URL without credentials and no proxy in the environment, else `curl` |
/// | `capture_logprobs` | int 0…20 or false | false: with N > 0, a chat teacher is asked for `logprobs` and N `top_logprobs` on every request; they are stored with the exchange for logprob distillation and stripped from the answer when the client did not ask for them (`true` means 20) |
/// | `api` | string | `chat`: the API the teacher speaks: `chat` (OpenAI-compatible chat completions), `responses` (OpenAI Responses) or `anthropic` (Messages; key sent as `x-api-key`) |
public struct TeacherSettings: Sendable, Decodable {
    /// Base URL, e.g. `https://api.openai.com/v1`.
    public var url: String?
    /// Bearer key (environment only).
    public var apiKey: String?
    public var connectTimeoutMs = 10_000
    public var firstByteTimeoutMs = 120_000
    public var idleTimeoutMs = 60_000
    public var totalTimeoutMs = 600_000
    public var maxAttempts = 3
    public var retryBaseDelayMs = 250
    public var retryMaxDelayMs = 8_000
    /// Whether streamed requests upstream get `stream_options.include_usage = true`.
    public var injectStreamUsage = true
    /// Most teacher requests in flight at once.
    public var maxConcurrentTransfers = 512
    /// What carries teacher requests.
    public var transport = TeacherConfiguration.Transport.automatic
    /// Alternatives per token to capture from a chat teacher (`top_logprobs`); 0: capture nothing.
    public var captureLogprobs = 0
    /// The API the teacher speaks; requests of the same surface are forwarded as they
    /// are, the others translated through chat completions.
    public var api = APISurface.chat

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case url
        case connectTimeoutMs = "connect_timeout_ms", firstByteTimeoutMs = "first_byte_timeout_ms"
        case idleTimeoutMs = "idle_timeout_ms", totalTimeoutMs = "total_timeout_ms", maxAttempts = "max_attempts"
        case retryBaseDelayMs = "retry_base_delay_ms", retryMaxDelayMs = "retry_max_delay_ms"
        case injectStreamUsage = "inject_stream_usage", maxConcurrentTransfers = "max_concurrent_transfers", api
        case captureLogprobs = "capture_logprobs", transport
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TeacherSettings()
        url = try c.decodeIfPresent(String.self, forKey: .url)
        connectTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .connectTimeoutMs) ?? d.connectTimeoutMs
        firstByteTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .firstByteTimeoutMs) ?? d.firstByteTimeoutMs
        idleTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .idleTimeoutMs) ?? d.idleTimeoutMs
        totalTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .totalTimeoutMs) ?? d.totalTimeoutMs
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? d.maxAttempts
        retryBaseDelayMs = try c.decodeIfPresent(Int.self, forKey: .retryBaseDelayMs) ?? d.retryBaseDelayMs
        retryMaxDelayMs = try c.decodeIfPresent(Int.self, forKey: .retryMaxDelayMs) ?? d.retryMaxDelayMs
        injectStreamUsage = try c.decodeIfPresent(Bool.self, forKey: .injectStreamUsage) ?? d.injectStreamUsage
        maxConcurrentTransfers = try c.decodeIfPresent(Int.self, forKey: .maxConcurrentTransfers) ?? d.maxConcurrentTransfers
        if let name = try c.decodeIfPresent(String.self, forKey: .api) {
            guard let surface = APISurface(teacherAPI: name) else {
                throw DecodingError.dataCorruptedError(forKey: .api, in: c, debugDescription: "'\(name)' is not one of chat, responses, anthropic")
            }
            api = surface
        }
        if let name = try c.decodeIfPresent(String.self, forKey: .transport) {
            guard let transport = TeacherConfiguration.Transport(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .transport, in: c, debugDescription: "'\(name)' is not one of automatic, curl, event-loops")
            }
            self.transport = transport
        }
        if let on = try? c.decodeIfPresent(Bool.self, forKey: .captureLogprobs) {
            captureLogprobs = on ? 20 : 0
        } else {
            captureLogprobs = try c.decodeIfPresent(Int.self, forKey: .captureLogprobs) ?? d.captureLogprobs
        }
        guard (0...20).contains(captureLogprobs) else {
            throw DecodingError.dataCorruptedError(forKey: .captureLogprobs, in: c,
                                                   debugDescription: "must be true, false or 0…20 alternatives, got \(captureLogprobs)")
        }
        guard maxConcurrentTransfers > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .maxConcurrentTransfers, in: c, debugDescription: "must be positive")
        }
    }
}

