import ChatAPI
import Corpus
import Foundation
import Distill
import Gateway
import Hummingbird
import HummingbirdTesting
import Teacher
import TestSupport

/// A gateway wired to a mock teacher and a temporary SQLite file, served on a real
/// socket (port 0). Tests talk to it over HTTP and then read the logged rows.
struct GatewayHarness: Sendable {
    let mock: MockTeacher
    let services: GatewayServices
    let databasePath: String

    /// `prepareLog` runs on the exchange log's own connection before its first write
    /// (a size limit standing in for a full disk, say); `gatherDelay` is how long the log's
    /// writer lets journaled exchanges wait for company (its default when nil).
    init(teacherURL: String? = nil, handler: @escaping @Sendable (MockRequest) -> MockReply = MockTeacher.defaultReply,
         configure: (inout GatewayConfiguration) -> Void = { _ in }, prepareLog: ((SQLiteDatabase) throws -> Void)? = nil,
         gatherDelay: TimeInterval? = nil) throws {
        mock = try MockTeacher(handler: handler)
        // A directory of its own: training runs and student versions live beside the corpus file.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retort-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = directory.appendingPathComponent("corpus.sqlite").path
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.database = databasePath
        configuration.routes = [RouteConfiguration(name: "default", teacherModel: "mock-teacher"), RouteConfiguration(name: "mock-teacher")]
        configuration.teacher.url = teacherURL ?? mock.baseURL
        configuration.teacher.apiKey = "sk-teacher-secret"
        configuration.teacher.connectTimeoutMs = 1000
        configuration.teacher.firstByteTimeoutMs = 1500
        configuration.teacher.idleTimeoutMs = 400
        configuration.teacher.totalTimeoutMs = 10_000
        configuration.teacher.retryBaseDelayMs = 10
        configuration.teacher.retryMaxDelayMs = 40
        configure(&configuration)
        if prepareLog == nil && gatherDelay == nil {
            services = try GatewayServices.build(configuration: configuration)
            return
        }
        // A prepared log stands for a failing disk, which the journal could not write to
        // either: it is off, so commits wait for (and see) SQLite's failures.
        let log = try ExchangeLog(path: databasePath, retryInterval: 0.05, journalLimit: prepareLog == nil ? 64 << 20 : 0,
                                  gatherDelay: gatherDelay ?? ExchangeLog.defaultGatherDelay, prepare: prepareLog)
        services = GatewayServices(configuration: configuration, teacher: TeacherClient(configuration: configuration.teacher.clientConfiguration),
                                   log: log, reader: try SQLiteCorpus(path: databasePath))
    }

    /// Runs `body` against the live gateway, then shuts the mock down.
    func run<T: Sendable>(_ body: @Sendable (any TestClientProtocol, GatewayClient) async throws -> T) async throws -> T {
        defer { mock.shutdown() }
        let app = buildApplication(services: services)
        return try await app.test(.live) { client in
            try await body(client, GatewayClient(port: client.port ?? 0))
        }
    }

    /// Every logged exchange, oldest first, after the writer caught up.
    func rows() throws -> [ExchangeRecord] {
        services.log.flush()
        let ids = try services.reader.withDatabase { db in
            try db.query("SELECT id FROM exchanges ORDER BY created_at").compactMap { $0.first?.string }
        }
        return try ids.compactMap { try services.reader.exchange(id: $0) }
    }

    /// The one logged exchange (fails the test if there is not exactly one).
    func onlyRow() throws -> ExchangeRecord {
        let all = try rows()
        guard all.count == 1 else { throw HarnessError("expected one logged exchange, found \(all.count)") }
        return all[0]
    }

    /// Waits (up to `timeout`) until `count` exchanges are logged.
    func waitForRows(_ count: Int, within timeout: Duration = .seconds(3)) async throws -> [ExchangeRecord] {
        for _ in 0..<Int(timeout.components.seconds * 100) {
            let all = try rows()
            if all.count >= count { return all }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try rows()
    }
}

/// A raw streaming HTTP client for the gateway (our libcurl client, no retries).
struct GatewayClient: Sendable {
    let port: Int
    var client: TeacherClient {
        TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(port)/v1", retry: .never))
    }

    func post(_ body: String, headers: [(String, String)] = []) async throws -> TeacherResponse {
        try await client.send(TeacherRequest(path: "/chat/completions", headers: [("Content-Type", "application/json")] + headers,
                                             body: Array(body.utf8)))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A chat request body for `model` with one user message.
func chatBody(model: String = "default", stream: Bool = false, text: String = "hello gateway", extra: String = "") -> String {
    #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"\#(text)"}]\#(extra)}"#
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}
