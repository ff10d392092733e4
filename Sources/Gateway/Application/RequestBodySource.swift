import NIOCore

/// A request's body as it arrives, read by the handler's task as an async sequence of
/// buffers. Its state belongs to the connection's loop (see ``HTTPExchangeHandler``).
final class RequestBodySource: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer

    private let exchanges: HTTPExchangeHandler
    private var buffers = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private(set) var queuedBytes = 0
    /// Set once the last part arrived: success, or the error that cut the body short.
    private var ended: Result<Void, any Error>?
    private var waiter: CheckedContinuation<ByteBuffer?, any Error>?
    private var discarding = false
    /// The client sent `Expect: 100-continue` and has not had its `100 Continue` yet: it
    /// holds the body back until then (curl, for a second).
    private var awaitingContinue: Bool

    init(exchanges: HTTPExchangeHandler, expectsContinue: Bool = false) {
        self.exchanges = exchanges
        awaitingContinue = expectsContinue
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: RequestBodySource
        func next() async throws -> ByteBuffer? { try await source.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: self) }

    func next() async throws -> ByteBuffer? {
        if exchanges.loop.inEventLoop {
            if let buffer = take() { return buffer }
            if let ended { try ended.get(); return nil }
        }
        return try await withCheckedThrowingContinuation { continuation in
            exchanges.onLoop { self.wait(continuation) }
        }
    }

    /// Drops what is queued and whatever else arrives: the response has been written.
    func discard() async {
        try? await exchanges.onLoopWaiting { self.drop() }
    }

    // On the loop:

    func append(_ buffer: ByteBuffer) {
        guard !discarding, ended == nil else { return }
        awaitingContinue = false  // the client sent the body without waiting
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: buffer)
        } else {
            buffers.append(buffer)
            queuedBytes += buffer.readableBytes
        }
    }

    func finish(_ error: (any Error)?) {
        guard ended == nil else { return }
        let result: Result<Void, any Error> = error.map { .failure($0) } ?? .success(())
        ended = result
        waiter.take()?.resume(with: result.map { nil })
    }

    private func wait(_ continuation: CheckedContinuation<ByteBuffer?, any Error>) {
        if let buffer = take() {
            continuation.resume(returning: buffer)
        } else if let ended {
            continuation.resume(with: ended.map { nil })
        } else {
            waiter = continuation
            if awaitingContinue {  // the handler wants the body: ask the client for it
                awaitingContinue = false
                exchanges.sendContinue()
            }
        }
    }

    private func take() -> ByteBuffer? {
        guard let buffer = buffers.popFirst() else { return nil }
        let before = queuedBytes
        queuedBytes -= buffer.readableBytes
        if before >= HTTPExchangeHandler.bodyLowWater, queuedBytes < HTTPExchangeHandler.bodyLowWater {
            exchanges.resumeReading()
        }
        return buffer
    }

    private func drop() {
        discarding = true
        buffers.removeAll()
        queuedBytes = 0
        exchanges.resumeReading()
    }
}
