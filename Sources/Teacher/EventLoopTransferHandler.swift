import NIOCore
import NIOHTTP1

/// One keep-alive connection of an ``EventLoopTransport`` and the attempt it carries: writes
/// the request, hands the head on (or decides to retry), feeds the body pipe, stops reading
/// while the pipe is full, watches the first-byte, idle and total deadlines, and puts the
/// connection back in its pool when the response ended cleanly.
///
/// Touched only on its channel's event loop (`@unchecked Sendable` so a cancel on another
/// thread can queue work for it there).
final class EventLoopTransferHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The attempt a connection is carrying. Loop-confined like the handler.
    final class Transfer: @unchecked Sendable {
        let attempt: TransferAttempt
        var clock: TransferClock
        var phase = TransferPhase.awaitingHead
        /// Whether the connection carried an earlier response (it may have gone stale).
        let reused: Bool
        /// Between the head and the end of a `1xx` response, which is skipped.
        var skippingInformational = false
        /// Whether the response leaves the connection open for the next request.
        var keepAlive = true
        /// The deadline check scheduled, and when it runs.
        var timer: Scheduled<Void>?
        var timerDeadline: ContinuousClock.Instant?

        init(attempt: TransferAttempt, clock: TransferClock, reused: Bool) {
            self.attempt = attempt
            self.clock = clock
            self.reused = reused
        }
    }

    private let transport: EventLoopTransport
    private let pool: ConnectionPool
    private var context: ChannelHandlerContext?
    private var transfer: Transfer?
    /// A read the channel asked for while the transfer was paused; issued on resume.
    private var heldRead = false
    /// The last error the pipeline reported, for the message when the connection closes.
    private var lastError: (any Error)?

    init(transport: EventLoopTransport, pool: ConnectionPool) {
        self.transport = transport
        self.pool = pool
    }

    /// Whether the connection can carry a request.
    var isOpen: Bool {
        context?.channel.isActive ?? false
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Closes the connection (idle, or its pool closed).
    func close() {
        context?.close(promise: nil)
    }

    /// Writes `attempt`'s request and starts its deadlines, which count from `started`.
    func begin(_ attempt: TransferAttempt, reused: Bool, started: ContinuousClock.Instant) {
        guard let context else {  // closed between connect and here
            attempt.fail(.unreachable("the connection closed before the request was sent"))
            transport.release()
            return
        }
        let transfer = Transfer(attempt: attempt, clock: TransferClock(limits: attempt.limits, start: started), reused: reused)
        self.transfer = transfer
        let loop = context.eventLoop
        guard attempt.attach(interrupt: { loop.execute { self.abortIfCurrent(transfer, reason: .cancelled) } }) else {
            finish(transfer, reason: .cancelled, keepConnection: true)
            return
        }
        arm(transfer, on: loop)  // first: a failed write may finish the transfer within the flush
        context.write(wrapOutboundOut(.head(requestHead(attempt))), promise: nil)
        if !attempt.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: attempt.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// The request head: the attempt's header lines (a line with no value removes a header,
    /// as for curl), `Host`, and `Content-Length` for a body or a method that carries one.
    private func requestHead(_ attempt: TransferAttempt) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(attempt.headerLines.count + 2)
        var hasHost = false
        var hasLength = false
        for line in attempt.headerLines {
            guard let colon = line.utf8.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            guard !value.isEmpty else { continue }
            if name.equalsIgnoringASCIICase("host") { hasHost = true }
            if name.equalsIgnoringASCIICase("content-length") { hasLength = true }
            headers.add(name: name, value: String(value))
        }
        if !hasHost { headers.add(name: "Host", value: transport.endpoint.authority) }
        let method = HTTPMethod(rawValue: attempt.method.uppercased())
        if !hasLength, !attempt.body.isEmpty || (method != .GET && method != .HEAD) {
            headers.add(name: "Content-Length", value: String(attempt.body.count))
        }
        return HTTPRequestHead(
            version: .http1_1, method: method, uri: transport.endpoint.target(of: attempt.url), headers: headers)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let transfer else {
            // The rest of a response abandoned by an abort (the connection is closing), or
            // anything else with no request behind it (NIO's decoder refuses an unsolicited
            // response itself): the connection is not to be used again.
            context.close(promise: nil)
            return
        }
        transfer.clock.markActivity(at: .now)
        if let scheduled = transfer.timerDeadline, transfer.clock.nextDeadline() < scheduled {
            // The first bytes: the idle limit may run out before the first-byte one would.
            transfer.timer?.cancel()
            arm(transfer, on: context.eventLoop)
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            let code = Int(head.status.code)
            if (100..<200).contains(code) {
                transfer.skippingInformational = true
                return
            }
            transfer.keepAlive = head.isKeepAlive
            let headers = head.headers.map { (name: $0.name, value: $0.value) }
            if let delay = transfer.attempt.retryDecision(code, headers) {
                transfer.phase = .discarding(status: code, delay: delay)
            } else {
                transfer.phase = .streaming
                transfer.attempt.resolve(.head(status: code, headers: headers))
            }
        case .body(let buffer):
            guard case .streaming = transfer.phase, !transfer.skippingInformational else { return }
            let pipe = transfer.attempt.pipe
            guard pipe.push(Array(buffer.readableBytesView)) else {
                finish(transfer, reason: .cancelled, keepConnection: false)
                return
            }
            if pipe.isFull {
                transfer.clock.pause()
                let loop = context.eventLoop
                pipe.whenRoom { loop.execute { self.resumeReading(transfer) } }
            }
        case .end:
            if transfer.skippingInformational {
                transfer.skippingInformational = false
                return
            }
            finish(transfer, reason: nil, keepConnection: transfer.keepAlive)
        }
    }

    /// Holds the channel's reads while the transfer is paused for a full pipe.
    func read(context: ChannelHandlerContext) {
        if transfer?.clock.paused == true {
            heldRead = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lastError = error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let transfer {
            if case .awaitingHead = transfer.phase, transfer.reused, !transfer.skippingInformational,
               !transfer.attempt.isCancelled {
                // A kept connection the server had closed: the request never got an answer.
                // Send it once more on a fresh connection, as curl does.
                self.transfer = nil
                transfer.timer?.cancel()
                transfer.attempt.detach()
                transport.start(transfer.attempt, in: pool, reusing: false, started: transfer.clock.start)
            } else {
                finish(transfer, reason: closedReason(transfer), keepConnection: false)
            }
        }
        context.fireChannelInactive()
    }

    /// Why a transfer ended when its connection closed under it.
    private func closedReason(_ transfer: Transfer) -> TeacherError {
        let detail = lastError.map { "\($0)" } ?? "the connection closed"
        switch transfer.phase {
        case .awaitingHead: return .unreachable(detail + " before the response head")
        case .streaming, .discarding: return .transfer(detail + " before the end of the body")
        }
    }

    /// Continues reading once the consumer made room. Time spent paused is not upstream
    /// idleness, so the idle clock restarts.
    private func resumeReading(_ transfer: Transfer) {
        guard self.transfer === transfer, transfer.clock.paused else { return }
        transfer.clock.resume(at: .now)
        if heldRead {
            heldRead = false
            context?.read()
        }
    }

    /// Schedules the check of the transfer's next deadline.
    private func arm(_ transfer: Transfer, on loop: any EventLoop) {
        let deadline = transfer.clock.nextDeadline()
        transfer.timerDeadline = deadline
        transfer.timer = loop.scheduleTask(in: TimeAmount(max(deadline - .now, .zero))) { [self] in
            guard self.transfer === transfer else { return }
            if let phase = transfer.clock.expiredLimit(at: .now) {
                finish(transfer, reason: .timedOut(phase), keepConnection: false)
            } else {
                arm(transfer, on: loop)
            }
        }
    }

    /// Stops `transfer` for `reason` if it is still the one running.
    private func abortIfCurrent(_ transfer: Transfer, reason: TeacherError) {
        guard self.transfer === transfer else { return }
        finish(transfer, reason: reason, keepConnection: false)
    }

    /// Reports how `transfer` ended (`reason` nil: its response ended cleanly), frees its
    /// place under the cap, and pools or closes the connection.
    private func finish(_ transfer: Transfer, reason: TeacherError?, keepConnection: Bool) {
        self.transfer = nil
        transfer.timer?.cancel()
        transfer.attempt.detach()
        transfer.attempt.end(in: transfer.phase, error: reason)
        transport.release()
        if keepConnection, isOpen {
            if heldRead {
                heldRead = false
                context?.read()
            }
            pool.put(self)
        } else {
            close()
        }
    }
}
