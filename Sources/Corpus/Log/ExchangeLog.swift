import ChatAPI
import Foundation

/// The single writer of exchanges: a bounded queue drained by one thread that
/// writes batches in one transaction each.
///
/// Appending never blocks a request: when the queue is full the record is dropped
/// and counted (``droppedCount``), which the gateway exports as a metric; memory
/// stays bounded even when the disk stalls. ``flush()`` waits for everything
/// appended before it to be committed, and ``close()`` drains the queue.
public final class ExchangeLog: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [ExchangeRecord] = []
    private var head = 0
    private var appended = 0
    private var finished = 0
    private var dropped = 0
    private var failed = 0
    private var closing = false
    private var thread: Thread?

    /// Maximum records waiting to be written.
    public let capacity: Int
    /// Maximum records per transaction.
    public let batchSize: Int
    /// The database file.
    public let path: String

    /// Opens (and migrates) the database and starts the writer thread.
    public init(path: String, capacity: Int = 10_000, batchSize: Int = 256) throws {
        self.path = path
        self.capacity = capacity
        self.batchSize = batchSize
        let database = try SQLiteDatabase(path: path)
        try Migrations.configure(database)
        try Migrations.migrate(database)
        let writer = try ExchangeWriter(database: database)
        let thread = Thread { [self] in self.run(writer) }
        thread.name = "retort-corpus-writer"
        self.thread = thread
        thread.start()
    }

    /// Queues `record` for writing. Returns false (and counts a drop) when the queue is full or closed.
    @discardableResult
    public func append(_ record: ExchangeRecord) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closing, queue.count - head < capacity else {
            dropped += 1
            return false
        }
        queue.append(record)
        appended += 1
        condition.broadcast()
        return true
    }

    /// Blocks until every record appended before this call has been committed (or failed).
    public func flush() {
        condition.lock()
        let target = appended
        while finished < target { condition.wait() }
        condition.unlock()
    }

    /// Drains the queue and stops the writer. Later appends are dropped.
    public func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        condition.unlock()
        flush()
    }

    /// Records dropped because the queue was full.
    public var droppedCount: Int { condition.withLock { dropped } }
    /// Records whose write failed after retries.
    public var failedCount: Int { condition.withLock { failed } }
    /// Records waiting to be written.
    public var queueDepth: Int { condition.withLock { queue.count - head } }
    /// Records committed so far.
    public var writtenCount: Int { condition.withLock { finished - failed } }

    private func run(_ writer: ExchangeWriter) {
        while let batch = nextBatch() {
            var ok = false
            for attempt in 0..<5 where !ok {
                do {
                    try writer.write(batch)
                    ok = true
                } catch {
                    Thread.sleep(forTimeInterval: 0.05 * Double(attempt + 1))
                }
            }
            condition.lock()
            finished += batch.count
            if !ok { failed += batch.count }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for records and takes up to `batchSize`; nil once closed and drained.
    private func nextBatch() -> [ExchangeRecord]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.count == head {
            if closing { return nil }
            condition.wait()
        }
        let end = min(queue.count, head + batchSize)
        let batch = Array(queue[head..<end])
        head = end
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return batch
    }
}
