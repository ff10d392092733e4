import Distill
import Foundation
import Serving

/// Everything `retort serve` is configured with.
///
/// Read from a JSON file (`config/retort.json` documents every key), then overridden
/// by the environment (``applyingEnvironment(_:)``). Secrets never come from the file.
///
/// | key | type | default |
/// |---|---|---|
/// | `host` | string | `127.0.0.1` |
/// | `port` | int | `8080` |
/// | `database` | string (path) | `data/retort.sqlite` |
/// | `teacher` | ``TeacherSettings`` | no URL |
/// | `routes` | [``RouteConfiguration``] | `default` (teacher) and `student` (student) |
/// | `student` | ``StudentSettings`` | the SmolLM2 file in `models/` |
/// | `serving` | ``ServingSettings`` | progressive serving: fallback checks, shadow, gate, rollback, promotion |
/// | `training` | ``TrainingScheduleSettings`` | training runs: automatic schedule (off), child process |
/// | `client_keys` | [string] | `[]` (no client auth) |
/// | `allowed_hosts` | [string] | `[]`: IP literals, loopback names, `host` and this machine's name (`*`: any) |
/// | `allowed_origins` | [string] | `[]`: only the gateway's own pages may send state-changing requests (`*`: any) |
/// | `max_body_bytes` | int | 4 MiB |
/// | `max_response_bytes` | int | 64 MiB (non-streamed teacher answers) |
/// | `max_stream_bytes` | int | 64 MiB (a streamed teacher answer) |
/// | `max_sse_event_bytes` | int | 4 MiB (one event of a teacher stream) |
/// | `idle_timeout_ms` | int | 30000: a connection with no request in progress is closed |
/// | `request_read_timeout_ms` | int | 30000: reading a request body |
/// | `client_write_timeout_ms` | int | 30000: one write to a client that does not read |
/// | `event_loop_handlers` | bool | true: serve each connection with the gateway's own HTTP/1 channel, its handlers on its event loop (less added latency; false: Hummingbird's channel, handlers on Swift's global pool) |
/// | `log_queue_capacity` | int | 10000 records waiting for the writer |
/// | `log_batch_size` | int | 256 records per transaction |
public struct GatewayConfiguration: Sendable, Decodable {
    /// Address to bind.
    public var host = "127.0.0.1"
    /// Port to bind (0: any free port).
    public var port = 8080
    /// SQLite file of the corpus.
    public var database = "data/retort.sqlite"
    /// The upstream teacher.
    public var teacher = TeacherSettings()
    /// Model names clients may ask for.
    public var routes = [RouteConfiguration(name: "default"), RouteConfiguration(name: "student", backend: .student)]
    /// The local student model.
    public var student = StudentSettings()
    /// Progressive serving.
    public var serving = ServingSettings()
    /// Training runs started by the gateway.
    public var training = TrainingScheduleSettings()
    /// Keys clients must send as `Authorization: Bearer` on `/v1/*`; empty disables the check.
    public var clientKeys: [String] = []
    /// `Host` names accepted besides IP literals, loopback names, `host` and the machine's
    /// name (DNS-rebinding guard, ``CrossSiteMiddleware``); `*` accepts any.
    public var allowedHosts: [String] = []
    /// Browser origins (`https://app.example`) allowed to send state-changing requests
    /// besides the gateway's own pages; `*` allows any.
    public var allowedOrigins: [String] = []
    /// Largest accepted request body.
    public var maxBodyBytes = 4 << 20
    /// Largest non-streamed teacher response read into memory.
    public var maxResponseBytes = 64 << 20
    /// Largest streamed teacher answer relayed; past it the stream is cut with an error event.
    public var maxStreamBytes = 64 << 20
    /// Largest single event of a teacher stream; past it the stream is cut.
    public var maxSSEEventBytes = 4 << 20
    /// How long a connection may stay open with no request in progress (or a request head
    /// that has not finished arriving).
    public var idleTimeoutMs = 30_000
    /// How long reading a request body may take.
    public var requestReadTimeoutMs = 30_000
    /// Whether each connection's handlers run on its event loop (``LoopBoundHTTP1Channel``)
    /// instead of Swift's global pool.
    public var eventLoopHandlers = true
    /// How long one write to a client may wait for the client to read; past it the
    /// connection is closed and the exchange logged as 499.
    public var clientWriteTimeoutMs = 30_000
    /// Capacity of the exchange log's queue.
    public var logQueueCapacity = 10_000
    /// Records per write transaction.
    public var logBatchSize = 256
    /// Admin API key (environment only: `RETORT_ADMIN_KEY`).
    public var adminKey: String?
    /// The dashboard's folder (environment only: `RETORT_PUBLIC_DIR`, default `public`).
    public var publicDirectory = "public"
    /// The file this configuration was read from, absolute (nil: the built-in defaults);
    /// training children read it too.
    public var sourcePath: String?
    /// The environment training child processes start with (set from the process's own,
    /// secrets removed, by ``applyingEnvironment(_:)``; empty: nothing inherited).
    public var trainingEnvironment: [String: String] = [:]

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port, database, teacher, routes, student, serving, training
        case clientKeys = "client_keys", allowedHosts = "allowed_hosts", allowedOrigins = "allowed_origins", maxBodyBytes = "max_body_bytes", maxResponseBytes = "max_response_bytes"
        case logQueueCapacity = "log_queue_capacity", logBatchSize = "log_batch_size"
        case maxStreamBytes = "max_stream_bytes", maxSSEEventBytes = "max_sse_event_bytes", idleTimeoutMs = "idle_timeout_ms"
        case requestReadTimeoutMs = "request_read_timeout_ms", clientWriteTimeoutMs = "client_write_timeout_ms"
        case eventLoopHandlers = "event_loop_handlers"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GatewayConfiguration()
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
        database = try c.decodeIfPresent(String.self, forKey: .database) ?? d.database
        teacher = try c.decodeIfPresent(TeacherSettings.self, forKey: .teacher) ?? d.teacher
        routes = try c.decodeIfPresent([RouteConfiguration].self, forKey: .routes) ?? d.routes
        student = try c.decodeIfPresent(StudentSettings.self, forKey: .student) ?? d.student
        serving = try c.decodeIfPresent(ServingSettings.self, forKey: .serving) ?? d.serving
        training = try c.decodeIfPresent(TrainingScheduleSettings.self, forKey: .training) ?? d.training
        clientKeys = try c.decodeIfPresent([String].self, forKey: .clientKeys) ?? d.clientKeys
        allowedHosts = try c.decodeIfPresent([String].self, forKey: .allowedHosts) ?? d.allowedHosts
        allowedOrigins = try c.decodeIfPresent([String].self, forKey: .allowedOrigins) ?? d.allowedOrigins
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
        maxResponseBytes = try c.decodeIfPresent(Int.self, forKey: .maxResponseBytes) ?? d.maxResponseBytes
        logQueueCapacity = try c.decodeIfPresent(Int.self, forKey: .logQueueCapacity) ?? d.logQueueCapacity
        logBatchSize = try c.decodeIfPresent(Int.self, forKey: .logBatchSize) ?? d.logBatchSize
        maxStreamBytes = try c.decodeIfPresent(Int.self, forKey: .maxStreamBytes) ?? d.maxStreamBytes
        maxSSEEventBytes = try c.decodeIfPresent(Int.self, forKey: .maxSSEEventBytes) ?? d.maxSSEEventBytes
        idleTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .idleTimeoutMs) ?? d.idleTimeoutMs
        requestReadTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .requestReadTimeoutMs) ?? d.requestReadTimeoutMs
        clientWriteTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .clientWriteTimeoutMs) ?? d.clientWriteTimeoutMs
        eventLoopHandlers = try c.decodeIfPresent(Bool.self, forKey: .eventLoopHandlers) ?? d.eventLoopHandlers
        for (key, value) in [("max_stream_bytes", maxStreamBytes), ("max_sse_event_bytes", maxSSEEventBytes), ("idle_timeout_ms", idleTimeoutMs),
                             ("request_read_timeout_ms", requestReadTimeoutMs), ("client_write_timeout_ms", clientWriteTimeoutMs)] where value <= 0 {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(key) must be positive, got \(value)"))
        }
    }

    /// Loads `path` (JSON). A missing file is an error only if `required`.
    public static func load(path: String, required: Bool) throws -> GatewayConfiguration {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw ConfigurationError("configuration file not found: \(path)") }
            return GatewayConfiguration()
        }
        do {
            let url = URL(fileURLWithPath: path)
            var configuration = try JSONDecoder().decode(GatewayConfiguration.self, from: try Data(contentsOf: url))
            configuration.sourcePath = url.standardizedFileURL.path
            return configuration
        } catch let error as DecodingError {
            throw ConfigurationError("invalid configuration in \(path): \(error.readableDescription)")
        }
    }

    /// Whether the student model must be loaded: a route uses it, or it stands in for
    /// a teacher that is not configured (the embedded default).
    public var needsStudent: Bool {
        teacher.url == nil || routes.contains { $0.backend == .student }
    }

    /// The route clients call by `name`, if configured.
    public func route(named name: RouteName) -> RouteConfiguration? {
        routes.first { $0.name == name }
    }
}

/// A configuration problem, with a message for the operator.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// What is wrong and where.
    public let description: String
    init(_ description: String) { self.description = description }
}

extension DecodingError {
    var readableDescription: String {
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case .keyNotFound(let key, let c):
            return "\((c.codingPath + [key]).map(\.stringValue).joined(separator: ".")): missing"
        @unknown default:
            return String(describing: self)
        }
    }
}
