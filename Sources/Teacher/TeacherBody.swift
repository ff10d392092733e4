/// A teacher response body: the raw byte chunks exactly as they came off the wire (never
/// re-chunked), with backpressure — the transfer pauses while the consumer lags.
///
/// Iterate it once. Cancelling the iterating task, calling ``cancel()``, or dropping the
/// last reference to the body before its end aborts the upstream transfer promptly.
public final class TeacherBody: AsyncSequence, Sendable {
    /// One chunk as received.
    public typealias Element = [UInt8]
    /// Iteration fails with the reason the transfer ended early.
    public typealias Failure = TeacherError

    private let pipe: BodyPipe
    private let abort: (@Sendable () -> Void)?

    /// Wraps a pipe fed by a transfer; `abort` stops that transfer.
    init(pipe: BodyPipe, abort: (@Sendable () -> Void)?) {
        self.pipe = pipe
        self.abort = abort
    }

    /// A body that already holds all its chunks, for tests and for stand-in teachers.
    public convenience init(chunks: [[UInt8]]) {
        self.init(pipe: BodyPipe(completed: chunks), abort: nil)
    }

    deinit {
        cancel()
    }

    /// The bytes received and not yet read: bounded while the transfer is paused.
    var queuedBytes: Int {
        pipe.queuedBytes
    }

    /// Aborts the transfer if it is still running; iteration then fails with `.cancelled`.
    /// Does nothing once the body has been read to its end.
    public func cancel() {
        if pipe.cancel() {
            abort?()
        }
    }

    /// Reads the whole body, failing with `.bodyTooLarge` (and aborting the transfer) once it
    /// exceeds `limit` bytes.
    public func collect(upTo limit: Int) async throws(TeacherError) -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            guard bytes.count + chunk.count <= limit else {
                cancel()
                throw .bodyTooLarge(limit: limit)
            }
            bytes += chunk
        }
        return bytes
    }

    /// Returns the iterator; iterate a body once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: self)
    }

    /// Yields the chunks in order; a cancelled task aborts the transfer.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let body: TeacherBody

        /// The next chunk, or `nil` at the end of the body.
        public mutating func next() async throws(TeacherError) -> [UInt8]? {
            let pipe = body.pipe
            let body = self.body
            let delivery = await withTaskCancellationHandler {
                await pipe.next()
            } onCancel: {
                body.cancel()
            }
            return try delivery.get()
        }
    }
}
