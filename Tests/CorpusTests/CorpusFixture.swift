import ChatAPI
import Corpus
import Foundation

/// A temporary corpus filled through the real writer, for tests.
final class CorpusFixture {
    let path: String
    let log: ExchangeLog
    let reader: SQLiteCorpus
    private var clock = 1_700_000_000.0

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("retort-\(UUID().uuidString).sqlite").path
        log = try ExchangeLog(path: path, capacity: 100_000, batchSize: 256)
        reader = try SQLiteCorpus(path: path)
    }

    deinit {
        log.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// A logged exchange asking `prompt` and answered with `answers` (one choice each).
    @discardableResult
    func add(prompt: String, answers: [String] = ["An answer."], route: String = "default", status: Int = 200,
             servedBy: String = "teacher", finishReason: String = "stop", system: String? = nil,
             tools: JSONValue? = nil, promptTokens: Int = 10, completionTokens: Int = 5, latencyMs: Double = 100,
             tags: [String] = [], responseFormat: JSONValue? = nil) -> ExchangeRecord {
        clock += 1
        var messages: [JSONValue] = []
        if let system { messages.append(.object([("role", .string("system")), ("content", .string(system))])) }
        messages.append(.object([("role", .string("user")), ("content", .string(prompt))]))
        var request: JSONValue = .object([("model", .string(route)), ("messages", .array(messages))])
        if let tools { request = request.setting("tools", to: tools) }
        if let responseFormat { request = request.setting("response_format", to: responseFormat) }
        let completionID = "chatcmpl-\(UUID().uuidString.prefix(8))"
        var record = ExchangeRecord(id: ExchangeID.make(now: Date(timeIntervalSince1970: clock)), createdAt: clock, route: route,
                                    servedBy: servedBy, status: status, stream: false,
                                    promptHash: SHA256.hex(JSONValue.array(messages).serialized()), requestJSON: request.jsonString)
        record.completionID = completionID
        record.tags = tags
        record.finishReason = finishReason
        record.promptTokens = promptTokens
        record.completionTokens = completionTokens
        record.totalTokens = promptTokens + completionTokens
        record.latencyMs = latencyMs
        record.teacherURL = "https://user:sk-secret-123@teacher.example/v1"
        let choices = answers.enumerated().map { index, text in
            JSONValue.object([("index", .int(index)),
                              ("message", .object([("role", .string("assistant")), ("content", .string(text)), ("refusal", .null)])),
                              ("finish_reason", .string(finishReason))])
        }
        record.responseJSON = JSONValue.object([("id", .string(completionID)), ("object", .string("chat.completion")),
                                                ("choices", .array(choices))]).jsonString
        log.append(record)
        log.flush()
        return record
    }

    /// Records feedback parsed from a JSON body.
    @discardableResult
    func feedback(_ body: String) throws -> FeedbackStore.Receipt {
        try FeedbackStore(reader: reader).record(FeedbackSubmission(json: JSONValue.parse(body)))
    }
}
