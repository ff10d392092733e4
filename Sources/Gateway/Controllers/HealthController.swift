import ChatAPI
import HTTPTypes
import Hummingbird

/// `GET /healthz` and `GET /metrics`.
struct HealthController {
    let services: GatewayServices

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("healthz") { _, _ in self.health() }
        router.get("metrics") { _, _ in self.metrics() }
    }

    /// 200 `ok`, or 503 `failing` while the exchange log cannot write (the gateway then
    /// refuses chat requests: nothing it answers could be logged).
    func health() -> Response {
        let log = services.log.health
        var logStatus: [(String, JSONValue)] = [("status", .string(log.failing ? "failing" : "ok")), ("queued", .int(log.queued)),
                                                ("held", .int(log.held)), ("dropped", .int(services.log.droppedCount)),
                                                ("journal_bytes", .int(services.log.journalBytes)),
                                                ("recovered", .int(services.log.recoveredCount))]
        if let error = log.lastError { logStatus.append(("last_error", .string(error))) }
        let body: JSONValue = .object([
            ("status", .string(log.failing ? "failing" : "ok")),
            ("teacher", services.configuration.teacher.url != nil ? .string("configured") : .string("not configured")),
            ("log", .object(logStatus)),
            ("log_queue_depth", .int(log.queued)),
            ("log_dropped", .int(services.log.droppedCount)),
            ("student", studentStatus),
        ])
        return .json(body, status: log.failing ? .serviceUnavailable : .ok)
    }

    var studentStatus: JSONValue {
        guard let student = services.student else { return .string("not loaded") }
        if let error = student.loadError { return .object([("error", .string(error))]) }
        var fields: [(String, JSONValue)] = [("model", .string(student.modelName ?? student.path)),
                                             ("queue_depth", .int(student.queueDepth))]
        if let setup = student.decodeSetup {
            fields.append(("decode", .object([
                ("weights", .string(setup.weights)), ("chosen_for_file", .bool(setup.chosen)),
                ("kernel", .string(setup.kernel)), ("threads", .int(setup.threads)), ("worker_pool", .bool(setup.workerPool)),
            ])))
        }
        return .object(fields)
    }

    func metrics() -> Response {
        let log = services.log
        let text = services.metrics.render(gauges: [
            ("retort_log_queue_depth", "Exchanges waiting to be written.", Double(log.queueDepth)),
            ("retort_log_dropped_total", "Exchanges refused because the log queue was full.", Double(log.droppedCount)),
            ("retort_log_held", "Exchanges whose write failed, held in memory and retried.", Double(log.heldCount)),
            ("retort_log_failing", "1 while the exchange log cannot write to its storage.", log.health.failing ? 1 : 0),
            ("retort_log_written_total", "Exchanges committed to the corpus.", Double(log.writtenCount)),
            ("retort_log_journal_bytes", "Bytes of acknowledged exchanges in the journal, waiting to be inserted into SQLite.",
             Double(log.journalBytes)),
            ("retort_log_recovered", "Exchanges recovered at start from the journals of processes that died.",
             Double(log.recoveredCount)),
            ("retort_student_queue_depth", "Student generations waiting or running (served, shadow and fallback checks).",
             Double(services.serving.studentQueueDepth)),
        ])
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Response {
    /// A 200 (or `status`) JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }
}
