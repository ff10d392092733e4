import ChatAPI
import Corpus
import Foundation

/// An exchange between request and log: collects what happens to it and writes it
/// to the corpus exactly once.
///
/// If the handler never finishes it — the client went away before the response
/// body ran, say — `deinit` still logs it as 499 and cancels the upstream work, so
/// an exchange that reached the gateway is never silently lost.
final class PendingExchange: @unchecked Sendable {
    // @unchecked: `record`, `logged` and `onAbandon` are guarded by `lock`.
    private let lock = NSLock()
    private var record: ExchangeRecord
    private var logged = false
    private var onAbandon: (@Sendable () -> Void)?
    private let services: GatewayServices
    /// When the request arrived.
    let started = ContinuousClock.now

    /// The exchange id (UUIDv7), sent as `x-retort-exchange-id`.
    var id: String { lock.withLock { record.id } }

    init(record: ExchangeRecord, services: GatewayServices) {
        self.record = record
        self.services = services
    }

    deinit {
        guard !logged else { return }
        onAbandon?()
        record.status = 499
        record.error = record.error ?? "client disconnected before the response completed"
        write(record)
    }

    /// Changes the draft record.
    func update(_ change: (inout ExchangeRecord) -> Void) {
        lock.withLock { change(&record) }
    }

    /// Work to cancel if the exchange is abandoned (the upstream transfer).
    func setOnAbandon(_ action: @escaping @Sendable () -> Void) {
        lock.withLock { onAbandon = action }
    }

    /// Milliseconds since the request arrived.
    func elapsedMs() -> Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// Notes the first byte of the answer (once).
    func markFirstByte() {
        let ms = elapsedMs()
        lock.withLock { if record.ttftMs == nil { record.ttftMs = ms } }
    }

    /// Finishes the exchange with `status` and logs it. Later calls do nothing.
    func complete(status: Int, error: String? = nil, response: String?) {
        let ms = elapsedMs()
        let finished: ExchangeRecord? = lock.withLock {
            guard !logged else { return nil }
            logged = true
            record.status = status
            record.error = error ?? record.error
            record.responseJSON = response
            record.latencyMs = ms
            record.completedAt = Date().timeIntervalSince1970
            return record
        }
        if let finished { write(finished) }
    }

    private func write(_ record: ExchangeRecord) {
        services.log.append(record)
        services.metrics.increment("retort_requests_total",
                                   [("route", record.route), ("served_by", record.servedBy), ("status", String(record.status))],
                                   help: "Chat completion requests by route, server and status.")
        if let latency = record.latencyMs {
            services.metrics.observe("retort_request_duration_seconds", [("route", record.route)], latency / 1000,
                                     help: "Time from request to the end of the response.")
        }
        if let ttft = record.ttftMs, record.status == 200 {
            services.metrics.observe("retort_time_to_first_byte_seconds", [("route", record.route)], ttft / 1000,
                                     help: "Time from request to the first byte of the answer.")
        }
    }
}

extension ExchangeRecord {
    /// Copies the completion id, usage and finish reason from a `chat.completion` object.
    mutating func apply(completion: JSONValue) {
        if let id = completion["id"]?.stringValue { completionID = id }
        if let usage = completion["usage"] {
            promptTokens = usage["prompt_tokens"]?.intValue
            completionTokens = usage["completion_tokens"]?.intValue
            totalTokens = usage["total_tokens"]?.intValue
        }
        if let first = completion["choices"]?.arrayValue?.first, let reason = first["finish_reason"]?.stringValue {
            finishReason = reason
        }
    }
}
