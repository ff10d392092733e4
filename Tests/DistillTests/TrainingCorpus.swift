import ChatAPI
import Corpus
import Foundation

/// A temporary corpus file filled through the real exchange writer.
final class TrainingCorpus {
    let path: String
    let log: ExchangeLog
    let reader: SQLiteCorpus
    private var clock = 1_700_000_000.0

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("retort-distill-\(UUID().uuidString)/corpus.sqlite").path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        log = try ExchangeLog(path: path, capacity: 10_000, batchSize: 64)
        reader = try SQLiteCorpus(path: path)
        reader.follow(log)  // as the gateway's reader: what the log acknowledged is readable
    }

    deinit {
        log.close()
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    /// Logs a teacher exchange on `route` asking `prompt`, answered with `answer` (and the
    /// teacher's token log-probabilities of it, when given).
    func add(prompt: String, answer: String, route: String = "default", logprobs: TokenLogprobs? = nil) {
        clock += 1
        let messages: JSONValue = .array([.object([("role", .string("user")), ("content", .string(prompt))])])
        let request: JSONValue = .object([("model", .string(route)), ("messages", messages)])
        var record = ExchangeRecord(id: ExchangeID.make(now: Date(timeIntervalSince1970: clock)), createdAt: clock, route: route,
                                    servedBy: "teacher", status: 200, stream: false,
                                    promptHash: SHA256.hex(messages.serialized()), requestJSON: request.jsonString)
        record.finishReason = "stop"
        record.teacherLogprobs = logprobs
        let choice: JSONValue = .object([("index", .int(0)), ("finish_reason", .string("stop")),
                                         ("message", .object([("role", .string("assistant")), ("content", .string(answer))]))])
        record.responseJSON = JSONValue.object([("object", .string("chat.completion")), ("choices", .array([choice]))]).jsonString
        log.append(record)
        log.flush()
    }

    /// Logs `count` exchanges of a narrow extraction task.
    func addTask(count: Int) {
        for index in 0..<count {
            add(prompt: "Extract the city: I live in Town\(index).", answer: #"{"city":"Town\#(index)"}"#)
        }
    }
}
