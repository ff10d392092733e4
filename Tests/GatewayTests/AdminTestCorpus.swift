import ChatAPI
import Corpus
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting

/// Gateway services over a temporary corpus filled directly through the writer,
/// with no teacher, for the feedback and admin API tests.
struct AdminTestCorpus: Sendable {
    let services: GatewayServices

    init(configure: (inout GatewayConfiguration) -> Void = { _ in }) throws {
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.database = FileManager.default.temporaryDirectory.appendingPathComponent("retort-admin-\(UUID().uuidString).sqlite").path
        configure(&configuration)
        services = try GatewayServices.build(configuration: configuration)
    }

    /// Logs one exchange asking `prompt`, answered with `answers`, and waits until it is written.
    @discardableResult
    func add(prompt: String, answers: [String] = ["An answer."], route: String = "default", status: Int = 200, flush: Bool = true) -> ExchangeRecord {
        let messages: JSONValue = .array([.object([("role", .string("user")), ("content", .string(prompt))])])
        let request: JSONValue = .object([("model", .string(route)), ("messages", messages)])
        var record = ExchangeRecord(id: ExchangeID.make(), createdAt: Date().timeIntervalSince1970, route: route, status: status,
                                    stream: false, promptHash: SHA256.hex(messages.serialized()), requestJSON: request.jsonString)
        record.completionID = "chatcmpl-\(UUID().uuidString)"
        record.finishReason = "stop"
        record.latencyMs = 12
        let choices = answers.enumerated().map { index, text in
            JSONValue.object([("index", .int(index)), ("message", .object([("role", .string("assistant")), ("content", .string(text))])),
                              ("finish_reason", .string("stop"))])
        }
        record.responseJSON = JSONValue.object([("id", .string(record.completionID ?? "")), ("choices", .array(choices))]).jsonString
        services.log.append(record)
        if flush { services.log.flush() }
        return record
    }

    /// Runs `body` against the router in process.
    func run<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await buildApplication(services: services).test(.router, body)
    }

    /// Every feedback row as (id, exchange_id, kind).
    func feedbackRows() throws -> [[SQLiteValue]] {
        try services.reader.withDatabase { try $0.query("SELECT id, exchange_id, kind, rating, score, comment FROM feedback ORDER BY created_at") }
    }
}

extension TestClientProtocol {
    /// POSTs JSON `body` to `uri`, returning status and parsed body.
    func postJSON(_ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> (status: Int, json: JSONValue) {
        var fields = headers
        fields[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(string: body)) { response in
            (Int(response.status.code), (try? JSONValue.parse(Array(response.body.readableBytesView))) ?? .null)
        }
    }

    /// GETs `uri`, returning status, headers and body text.
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> (status: Int, headers: HTTPFields, text: String) {
        try await execute(uri: uri, method: .get, headers: headers) { response in
            (Int(response.status.code), response.headers, String(buffer: response.body))
        }
    }
}
