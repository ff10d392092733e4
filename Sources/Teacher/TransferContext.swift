import CCurl

/// The loop-thread side of one attempt: parses the head, feeds the body pipe (pausing the
/// transfer while the pipe is full), watches the first-byte, idle and total deadlines, and
/// reports the outcome. Used only on the ``CurlEventLoop`` thread; it owns the header list
/// and error buffer it gives curl.
final class TransferContext: @unchecked Sendable {
    // @unchecked: used on the loop thread only; it crosses threads only as the identity
    // a consumer hands back to ``CurlEventLoop/resume(_:)``.
    /// The attempt this context performs.
    let attempt: TransferAttempt
    /// The curl easy handle performing it.
    let easy: UnsafeMutableRawPointer
    /// The loop to ask for a resume when a paused body may continue.
    private weak var loop: CurlEventLoop?
    /// The clock every deadline is read from (injected so tests can drive the timeouts).
    let now: @Sendable () -> ContinuousClock.Instant
    /// The attempt's deadlines; paused while curl is paused for a full pipe.
    private var clock: TransferClock
    private var headers: [(name: String, value: String)] = []
    private(set) var phase = TransferPhase.awaitingHead
    /// A head decided but not yet handed on: it goes out when curl returns control (see
    /// ``flushHead()``), so a response that completes within one read wakes the caller once.
    private var pendingHead: AttemptOutcome?
    /// Why the loop stopped the transfer, when it did (cancellation or a timeout).
    var abortReason: TeacherError?
    /// The curl header list; freed in `deinit`.
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// Curl's detailed error message for the transfer.
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    /// Creates the context for `attempt` on `easy`, starting its clocks at `now()`.
    init(attempt: TransferAttempt, easy: UnsafeMutableRawPointer, loop: CurlEventLoop?,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.attempt = attempt
        self.easy = easy
        self.loop = loop
        self.now = now
        clock = TransferClock(limits: attempt.limits, start: now())
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Handles one header line from curl (status line, field, or the blank end line).
    func receiveHeader(_ bytes: UnsafeBufferPointer<UInt8>) {
        clock.markActivity(at: now())
        // Read as bytes: this runs for every header line of every transfer.
        let line = Self.trimmed(bytes[...])
        if line.starts(with: "HTTP/".utf8) {
            headers = []  // a new response: after `100 Continue`, say
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")), colon != line.startIndex {
            let name = String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self)
            let value = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
            headers.append((name: name, value: value))
        }
    }

    /// `bytes` without leading and trailing spaces, tabs and line ends.
    static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var line = bytes
        while let first = line.first, isSpace(first) { line = line.dropFirst() }
        while let last = line.last, isSpace(last) { line = line.dropLast() }
        return line
    }

    /// Handles a body chunk; returns what the write callback answers curl: the chunk's
    /// length (taken), 0 (abort: the caller cancelled) or `CURL_WRITEFUNC_PAUSE` (the pipe
    /// is full: curl keeps the chunk and stops reading until ``resume()``).
    func receiveBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        clock.markActivity(at: now())
        if case .awaitingHead = phase { decideHead() }
        switch phase {
        case .awaitingHead, .discarding:
            return bytes.count
        case .streaming:
            if attempt.pipe.isFull {
                flushHead()  // the caller must be able to drain the pipe
                clock.pause()
                attempt.pipe.whenRoom { [weak loop, self] in loop?.resume(self) }
                return Int(CURL_WRITEFUNC_PAUSE)
            }
            return attempt.pipe.push(Array(bytes)) ? bytes.count : 0
        }
    }

    /// Continues a transfer paused for a full pipe. Time spent paused on a slow consumer is
    /// not upstream idleness, so the idle clock restarts; the total limit keeps running.
    func resume() {
        guard clock.paused else { return }
        clock.resume(at: now())
        curl_easy_pause(easy, CURLPAUSE_CONT)
    }

    /// The head is complete: hand it on, or decide to retry after reading the body.
    private func decideHead() {
        var code = 0
        _ = retort_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        if let delay = attempt.retryDecision(code, headers) {
            phase = .discarding(status: code, delay: delay)
        } else {
            phase = .streaming
            pendingHead = .head(status: code, headers: headers)
        }
    }

    /// Hands a decided head on to the caller, if one is waiting to go.
    func flushHead() {
        guard let head = pendingHead else { return }
        pendingHead = nil
        attempt.resolve(head)
    }

    /// The phase whose limit has run out at `now`, if any.
    func expiredLimit(at now: ContinuousClock.Instant) -> TimeoutPhase? {
        clock.expiredLimit(at: now)
    }

    /// When the next limit runs out if nothing arrives.
    func nextDeadline() -> ContinuousClock.Instant {
        clock.nextDeadline()
    }

    /// Reports how the transfer ended, given curl's result code.
    func complete(code: CURLcode) {
        let reason = abortReason ?? (attempt.isCancelled ? .cancelled : nil)
        if case .awaitingHead = phase, reason == nil, code == CURLE_OK {
            decideHead()
        }
        flushHead()  // a streaming head not yet handed on goes before the body's end
        let error: TeacherError? = switch phase {
        case .awaitingHead: reason ?? errorBeforeHead(code)
        case .streaming: reason ?? (code == CURLE_OK ? nil : .transfer(message(code)))
        case .discarding: reason
        }
        attempt.end(in: phase, error: error)
    }

    /// Maps a curl failure before any response byte to a ``TeacherError``.
    private func errorBeforeHead(_ code: CURLcode) -> TeacherError {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timedOut(.connect)  // the only curl-enforced limit
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: .invalidURL(TeacherClient.redactingUserInfo(attempt.url))
        default: .unreachable(message(code))
        }
    }

    /// Curl's detailed message for `code`, or its generic one.
    private func message(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        if !detail.isEmpty { return detail }
        return String(cString: curl_easy_strerror(code))
    }
}
