import ChatAPI
import Corpus
import Foundation

/// An exchange between request and log: collects what happens to it and writes it
/// to the corpus exactly once.
///
/// ``complete(status:error:response:)`` returns once the record is committed, so a
/// handler acknowledges an answer (its 200, a stream's `[DONE]`) only after the exchange
/// is on disk: a crash after the acknowledgement loses nothing.
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
    private var onComplete: (@Sendable (ExchangeRecord) -> Void)?
    private var renderRawResponse: (@Sendable (Int, String?) -> String?)?
    /// Computes the request's fields (``PromptFields``) until they are filled in.
    private var pendingPrompt: (@Sendable () -> PromptFields)?
    private var upstreamStarted: ContinuousClock.Instant?
    private var upstreamSeconds: Double?
    private let services: GatewayServices
    /// When the request arrived.
    let started = ContinuousClock.now

    /// The exchange id (UUIDv7), sent as `x-retort-exchange-id`.
    var id: String { lock.withLock { record.id } }
    /// The tags from `x-retort-tags`.
    var tags: [String] { lock.withLock { record.tags } }

    /// The fields of the record that describe the request and take work to compute (a
    /// hash of the prompt, the body as text): filled in by ``fillPrompt()`` or, at the
    /// latest, when the exchange is logged.
    struct PromptFields: Sendable {
        var promptHash: String
        var requestJSON: String
        var rawRequestJSON: String?
    }

    /// An exchange for `record`, whose request fields `prompt` computes when they are
    /// first needed (``fillPrompt()``), so a handler can send the teacher the request
    /// first and fill them in while it waits.
    init(record: ExchangeRecord, services: GatewayServices, prompt: (@Sendable () -> PromptFields)? = nil) {
        self.record = record
        self.services = services
        pendingPrompt = prompt
    }

    deinit {
        guard !logged else { return }
        if let prompt = pendingPrompt { record.apply(prompt()) }
        onAbandon?()
        record.status = 499
        record.error = record.error ?? "client disconnected before the response completed"
        write(record)
    }

    /// Computes the request's fields now if they are still pending (outside the lock: the
    /// hash reads the whole prompt).
    func fillPrompt() {
        guard let prompt = lock.withLock({ pendingPrompt.take() }) else { return }
        let fields = prompt()
        lock.withLock { record.apply(fields) }
    }

    /// Changes the draft record.
    func update(_ change: (inout ExchangeRecord) -> Void) {
        lock.withLock { change(&record) }
    }

    /// Work to cancel if the exchange is abandoned (the upstream transfer).
    func setOnAbandon(_ action: @escaping @Sendable () -> Void) {
        lock.withLock { onAbandon = action }
    }

    /// Work to run once the exchange completed normally and was logged (the shadow run).
    func setOnComplete(_ action: @escaping @Sendable (ExchangeRecord) -> Void) {
        lock.withLock { onComplete = action }
    }

    /// How to write the raw answer (the client's surface) from the chat-form response,
    /// when the handler has not set one.
    func setRawResponse(_ render: @escaping @Sendable (_ status: Int, _ chatResponse: String?) -> String?) {
        lock.withLock { renderRawResponse = render }
    }

    /// Notes that the teacher call starts now.
    func beginUpstream() {
        let now = ContinuousClock.now
        lock.withLock { upstreamStarted = now }
    }

    /// Notes that the teacher's answer has been read to its end; the time since
    /// ``beginUpstream()`` is the upstream wait left out of the gateway overhead.
    func endUpstream() {
        let now = ContinuousClock.now
        lock.withLock {
            guard let started = upstreamStarted, upstreamSeconds == nil else { return }
            upstreamSeconds = Self.seconds(now - started)
        }
    }

    /// Milliseconds since the request arrived.
    func elapsedMs() -> Double {
        Self.seconds(ContinuousClock.now - started) * 1000
    }

    /// `duration` in seconds.
    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Notes the first byte of the answer (once).
    func markFirstByte() {
        let ms = elapsedMs()
        lock.withLock { if record.ttftMs == nil { record.ttftMs = ms } }
    }

    /// Finishes the exchange with `status`, logs it and waits for the commit. Returns
    /// whether the record is committed; false means the log could not write it (it is
    /// held for retry) and the answer must not be acknowledged. Later calls do nothing.
    @discardableResult
    func complete(status: Int, error: String? = nil, response: String?) async -> Bool {
        let ms = elapsedMs()
        fillPrompt()
        let (final, action, upstream, render) = lock.withLock {
            guard !logged else { return (ExchangeRecord?.none, (@Sendable (ExchangeRecord) -> Void)?.none, Double?.none, renderRawResponse) }
            logged = true
            record.status = status
            record.error = error ?? record.error
            record.responseJSON = response
            record.latencyMs = ms
            record.completedAt = Date().timeIntervalSince1970
            return (record, onComplete, upstreamSeconds, renderRawResponse)
        }
        guard var finished = final else { return true }
        // Written out of the lock: rendering parses and serializes the whole answer.
        if finished.rawResponseJSON == nil, let render { finished.rawResponseJSON = render(status, response) }
        count(finished)
        let committed = await services.log.commit(finished)
        if let upstream {
            // Measured to the commit: the acknowledgement waits for it.
            let latency = elapsedMs() / 1000
            services.metrics.observe("retort_gateway_overhead_seconds", [("route", finished.route)], max(latency - upstream, 0),
                                     help: "Time the gateway added to a teacher-served request: total (to the commit) minus the wait for the teacher.")
        }
        if committed { action?(finished) }
        return committed
    }

    /// Queues an abandoned exchange's record without waiting: nobody is left to acknowledge.
    private func write(_ record: ExchangeRecord) {
        services.log.append(record)
        count(record)
    }

    /// The request counters and latency histograms for a finished exchange.
    private func count(_ record: ExchangeRecord) {
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
            services.metrics.observe("retort_time_to_first_token_seconds", [("route", record.route), ("served_by", record.servedBy)],
                                     ttft / 1000, help: "Time from request to the first answer byte, by who served it.")
        }
    }
}

extension ExchangeRecord {
    /// Sets the request's fields.
    mutating func apply(_ prompt: PendingExchange.PromptFields) {
        promptHash = prompt.promptHash
        requestJSON = prompt.requestJSON
        rawRequestJSON = prompt.rawRequestJSON
    }

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
