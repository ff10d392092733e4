import CCurl

/// One curl easy handle driven by its own multi handle, on one worker thread. The multi
/// handle keeps the connection cache, so consecutive attempts reuse a keep-alive connection;
/// driving it ourselves (instead of `curl_easy_perform`) gives millisecond timeouts and a
/// wake-up for prompt cancellation. Not thread-safe: used only by its worker thread.
final class CurlConnection {
    private let easy: UnsafeMutableRawPointer
    /// The easy handle, for the configuration extension.
    var easyHandle: UnsafeMutableRawPointer { easy }
    private let multi: UnsafeMutableRawPointer

    /// Creates the handles, or `nil` when curl cannot allocate them.
    init?() {
        CurlGlobal.ensureInitialized()
        guard let easy = curl_easy_init() else { return nil }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(easy)
            return nil
        }
        self.easy = easy
        self.multi = multi
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_multi_cleanup(multi)
    }

    /// Performs `attempt` to its end. `beforeReporting` runs after the connection is free
    /// again but before the end of the body is reported, so a caller that starts its next
    /// request as soon as it has read a body finds this connection idle.
    func perform(_ attempt: TransferAttempt, beforeReporting: () -> Void) {
        curl_easy_reset(easy)
        let context = TransferContext(attempt: attempt, easy: easy)
        var code = configure(context)
        if code == CURLE_OK {
            code = run(context)
        }
        beforeReporting()
        context.complete(code: code)
    }

    /// Drives the transfer until curl finishes it or the context's limits stop it.
    private func run(_ context: TransferContext) -> CURLcode {
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else { return CURLE_OUT_OF_MEMORY }
        defer {
            context.attempt.detach()
            curl_multi_remove_handle(multi, easy)  // closes the connection if the transfer was cut
        }
        guard context.attempt.attach(multi: multi) else {
            context.abortReason = .cancelled
            return CURLE_ABORTED_BY_CALLBACK
        }
        while true {
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            if let code = finishedCode() { return code }
            context.flushHead()
            if context.attempt.isCancelled {
                context.abortReason = .cancelled
                return CURLE_ABORTED_BY_CALLBACK
            }
            let now = context.now()
            if let phase = context.expiredLimit(at: now) {
                context.abortReason = .timedOut(phase)
                return CURLE_OPERATION_TIMEDOUT
            }
            let wait = context.nextDeadline() - now
            let waitMilliseconds = Int32(clamping: max(1, min(1000, wait.milliseconds + 1)))
            curl_multi_poll(multi, nil, 0, waitMilliseconds, nil)
        }
    }

    /// The result code of the finished transfer, if curl reports one.
    private func finishedCode() -> CURLcode? {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            if message.pointee.msg == CURLMSG_DONE {
                return message.pointee.data.result
            }
        }
        return nil
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
