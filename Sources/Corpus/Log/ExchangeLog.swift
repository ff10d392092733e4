import ChatAPI
import Foundation

/// The single writer of exchanges: a bounded queue drained by one thread that writes
/// batches in one transaction each (group commit), behind an acknowledgement journal.
///
/// A request is acknowledged only once its exchange is durable: ``commit(_:)`` appends
/// the record to the ``AckJournal`` (one `write(2)`, as durable against a crash of the
/// process as a SQLite commit) and returns; the writer thread then inserts it into SQLite
/// with whatever else is queued, and tells the journal. A journal left by a process that
/// died is recovered into SQLite when the next log opens the database. When the journal
/// cannot take a record (the disk is full, or as many bytes as its limit wait to be
/// inserted) ``commit(_:)`` falls back to waiting for the SQLite transaction that holds
/// the record.
///
/// Readers in the same process that must see every acknowledged exchange (the corpus
/// reader of the gateway) call ``flush()`` first: it returns once everything appended
/// before it is in SQLite, at once when the writer has caught up.
///
/// A batch that fails is written again record by record, so one bad record cannot take
/// good ones with it; a record that still fails is **held** in memory (and stays in the
/// journal) and is retried every ``retryInterval``, never dropped. While the storage
/// itself fails (a full disk, an I/O error, a lock held too long) ``isAccepting`` is
/// false: the gateway turns new requests away with a 503 before paying the teacher, and
/// `/healthz` says the log is failing. A record SQLite refuses on its own (too big, say)
/// is held without stopping the others.
///
/// The search index and the stats rollups are not part of the commit: the writer brings
/// them up to date (``DerivedTables``) once ``deriveBatch`` records are behind, or when the
/// queue is empty and ``deriveDelay`` has passed since the last time.
///
/// ``append(_:)`` queues without waiting (exchanges the client abandoned); when the queue
/// is full it counts a drop, so memory stays bounded even when the disk stalls.
/// ``flush()`` waits for everything queued before it, and ``close()`` drains the queue.
public final class ExchangeLog: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Entry] = []
    private var head = 0
    private var held: [Entry] = []
    private var nextRetry = Date.distantPast
    private var appended = 0
    private var finished = 0
    private var dropped = 0
    private var written = 0
    private var batches = 0
    private var lastWriteFailed = false
    private var lastError: String?
    private var closing = false
    private var finalRetryDone = false
    private var stopped = false
    private var underived = 0
    private var nextDerive = Date.distantPast
    /// When the oldest queued record was queued (meaningful while the queue is not empty).
    private var queuedSince = Date.distantPast
    /// Queued records whose callers wait for their SQLite commit.
    private var queuedWaiters = 0
    /// Callers of ``flush()`` waiting.
    private var flushing = 0
    private var thread: Thread?
    private let checkpointer: WALCheckpointer
    private let journal: AckJournal

    /// A queued record, the request waiting for its commit if any, and where the journal
    /// holds it if it does.
    private struct Entry {
        let record: ExchangeRecord
        let waiter: CheckedContinuation<Bool, Never>?
        var ticket: AckJournal.Ticket? = nil
    }

    /// Maximum records waiting to be written (queued plus held).
    public let capacity: Int
    /// Maximum records per transaction.
    public let batchSize: Int
    /// The database file.
    public let path: String
    /// How long held records wait before the next attempt.
    public let retryInterval: TimeInterval
    /// Records behind the search index and rollups that make the writer catch them up at once.
    public let deriveBatch = 1024
    /// How long an idle writer lets the search index and rollups lag behind.
    public let deriveDelay: TimeInterval = 0.25
    /// How long journaled records may wait to share a transaction with later ones: nobody
    /// waits on their insert (a caller that does, a fallback commit or a ``flush()``, which
    /// every read of the corpus does first, cuts the wait short), and many records in one
    /// transaction cost the writer far less than a few each: every transaction rewrites the
    /// pages it touches of the table and of each index (``defaultGatherDelay`` unless told
    /// otherwise).
    public let gatherDelay: TimeInterval
    /// The gathering a log does unless told otherwise: 50 ms, up to `batchSize` records.
    /// Against 2 ms it took the writer's CPU per exchange from 0.044–0.054 ms to
    /// 0.034–0.037 ms at 5,700 requests/s (2-core AMD EPYC VM).
    public static let defaultGatherDelay: TimeInterval = 0.05
    /// Exchanges from the journals of processes that died that this log inserted into
    /// SQLite when it opened (those SQLite already had are not counted).
    public let recoveredCount: Int

    /// Opens (and migrates) the database, recovers the journals of processes that died,
    /// and starts the writer thread. `prepare` runs on the writer's connection before the
    /// first write (tests use it to limit the file's size); `journalLimit` bounds the bytes
    /// the journal holds ahead of SQLite (0 turns it off: every commit waits for SQLite).
    public init(path: String, capacity: Int = 10_000, batchSize: Int = 256, retryInterval: TimeInterval = 1,
                journalLimit: Int = 64 << 20, gatherDelay: TimeInterval = defaultGatherDelay,
                prepare: ((SQLiteDatabase) throws -> Void)? = nil) throws {
        self.path = path
        self.gatherDelay = gatherDelay
        self.capacity = capacity
        self.batchSize = batchSize
        self.retryInterval = retryInterval
        let database = try SQLiteDatabase(path: path)
        try Migrations.configure(database)
        try Migrations.migrate(database)
        // The WAL is checkpointed beside the writer (``WALCheckpointer``), so no
        // acknowledged commit waits for a checkpoint's copy and sync.
        try database.execute("PRAGMA wal_autocheckpoint=0")
        checkpointer = try WALCheckpointer(path: path)
        try prepare?(database)
        let writer = try ExchangeWriter(database: database)
        recoveredCount = try AckJournal.recover(databasePath: path) { try writer.insertMissing($0) }
        journal = try AckJournal(databasePath: path, limit: journalLimit)
        let thread = Thread { [self] in
            nameCurrentThread("retort-writer")
            self.run(writer)
        }
        self.thread = thread
        thread.start()
    }

    /// Recovers into the database at `path` the journals of processes that died, as opening
    /// a log does first: for commands that only read, so they see every exchange a
    /// gateway acknowledged before it was killed. Returns how many exchanges it inserted.
    public static func recoverJournals(path: String) throws -> Int {
        let writer = try ExchangeWriter(database: SQLiteDatabase.openCorpus(path: path))
        return try AckJournal.recover(databasePath: path) { try writer.insertMissing($0) }
    }

    /// Returns true once `record` is durable: in the journal (at once), or else committed to
    /// SQLite. False once its write failed and it is held for retry, and at once when the
    /// log is closed or full.
    public func commit(_ record: ExchangeRecord) async -> Bool {
        if let ticket = journal.append(record) {
            // Durable now. Queued past the capacity check: the gateway stops taking requests
            // at capacity (``isAccepting``), and a record refused here (the log closing)
            // stays in the journal for the next open to recover.
            _ = enqueue(Entry(record: record, waiter: nil, ticket: ticket), journaled: true)
            return true
        }
        return await withCheckedContinuation { waiter in
            if !enqueue(Entry(record: record, waiter: waiter)) { waiter.resume(returning: false) }
        }
    }

    /// Queues `record` for writing without waiting. Returns false (and counts a drop) when
    /// the queue is full or closed.
    @discardableResult
    public func append(_ record: ExchangeRecord) -> Bool {
        enqueue(Entry(record: record, waiter: nil))
    }

    private func enqueue(_ entry: Entry, journaled: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closing, journaled || queue.count - head + held.count < capacity else {
            if !journaled { dropped += 1 }
            return false
        }
        if queue.count == head { queuedSince = Date() }
        queue.append(entry)
        appended += 1
        if entry.waiter != nil { queuedWaiters += 1 }
        // The writer needs waking for the first record (it starts the gathering clock), a
        // waiting caller, or a full batch; the others join the batch it is gathering.
        let queued = queue.count - head
        if queued == 1 || entry.waiter != nil || queued >= batchSize { condition.broadcast() }
        return true
    }

    /// Blocks until every record appended or acknowledged before this call has been
    /// committed to SQLite (or held); returns at once when the writer has caught up.
    public func flush() {
        condition.lock()
        let target = appended
        if finished < target {
            flushing += 1
            condition.broadcast()  // the writer stops gathering
            while finished < target { condition.wait() }
            flushing -= 1
        }
        condition.unlock()
    }

    /// Drains the queue, tries the held records once more and stops the writer. Later
    /// appends are refused. Returns once the writer has stopped.
    public func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    /// Whether new exchanges can be taken: the storage is not failing and there is room.
    public var isAccepting: Bool {
        condition.withLock { !closing && !lastWriteFailed && queue.count - head + held.count < capacity }
    }

    /// The log's state for `/healthz`: `ok`, or why it is not.
    public var health: Health {
        condition.withLock {
            Health(failing: lastWriteFailed, held: held.count, queued: queue.count - head, lastError: lastError)
        }
    }

    /// What ``health`` reports.
    public struct Health: Sendable {
        /// Whether the last write failed for a reason of the storage, not of one record.
        public let failing: Bool
        /// Records whose write failed, kept in memory and retried.
        public let held: Int
        /// Records waiting to be written.
        public let queued: Int
        /// The last write error, if any.
        public let lastError: String?
    }

    /// Records refused because the queue was full (or the log closed).
    public var droppedCount: Int { condition.withLock { dropped } }
    /// Records whose write failed and that are held for retry.
    public var heldCount: Int { condition.withLock { held.count } }
    /// Records waiting to be written.
    public var queueDepth: Int { condition.withLock { queue.count - head } }
    /// Records committed so far.
    public var writtenCount: Int { condition.withLock { written } }
    /// Bytes of acknowledged exchanges in the journal's files, waiting for SQLite.
    public var journalBytes: Int { journal.pendingBytes }
    /// Batches the writer has taken from the queue (each one transaction, unless it failed).
    public var batchCount: Int { condition.withLock { batches } }

    private func run(_ writer: ExchangeWriter) {
        while let work = nextWork() {
            switch work {
            case .batch(let batch): write(batch, with: writer)
            case .retry(let records): retry(records, with: writer)
            case .derive: derive(with: writer)
            }
            checkpointer.noteCommit()
        }
        checkpointer.close()
        journal.close()
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    /// Writes `batch` in one transaction; if that fails, each record on its own.
    private func write(_ batch: [Entry], with writer: ExchangeWriter) {
        var failures: [Entry] = []
        var storageError: (any Error)?
        do {
            try writer.write(batch.map(\.record))
        } catch {
            for entry in batch {
                do { try writer.write([entry.record]) } catch {
                    failures.append(Entry(record: entry.record, waiter: nil, ticket: entry.ticket))
                    if storageError == nil || Self.isStorageFailure(error) { storageError = error }
                }
            }
        }
        let failedIDs = Set(failures.map(\.record.id))
        journal.indexed(batch.compactMap { failedIDs.contains($0.record.id) ? nil : $0.ticket })
        condition.lock()
        batches += 1
        finished += batch.count
        written += batch.count - failures.count
        underived += batch.count - failures.count
        held.append(contentsOf: failures)
        if !failures.isEmpty { nextRetry = Date().addingTimeInterval(retryInterval) }
        note(storageError)
        condition.broadcast()
        condition.unlock()
        for entry in batch { entry.waiter?.resume(returning: !failedIDs.contains(entry.record.id)) }
    }

    /// Tries the held records again, one transaction each; they stay in `held` (and count
    /// against the capacity) until written.
    private func retry(_ records: [Entry], with writer: ExchangeWriter) {
        var stillFailing: [Entry] = []
        var storageError: (any Error)?
        var inSQLite: [AckJournal.Ticket] = []
        for entry in records {
            do {
                try writer.write([entry.record])
                if let ticket = entry.ticket { inSQLite.append(ticket) }
            } catch {
                stillFailing.append(entry)
                if storageError == nil || Self.isStorageFailure(error) { storageError = error }
            }
        }
        journal.indexed(inSQLite)
        condition.lock()
        written += records.count - stillFailing.count
        underived += records.count - stillFailing.count
        held = stillFailing  // only this thread changes `held`, so nothing was added meanwhile
        note(storageError)
        nextRetry = Date().addingTimeInterval(retryInterval)
        condition.broadcast()
        condition.unlock()
    }

    /// Brings the search index and rollups up to date. A failure leaves them behind (the
    /// exchanges are safe); the next catch-up, or a reader's, covers them.
    private func derive(with writer: ExchangeWriter) {
        let caughtUp = (try? DerivedTables.catchUp(writer.database)) != nil
        condition.withLock {
            if caughtUp { underived = 0 }
            nextDerive = Date().addingTimeInterval(caughtUp ? deriveDelay : retryInterval)
        }
    }

    /// Records the outcome of the latest write (`error`: its worst failure, nil if none).
    /// Called with `condition` held.
    private func note(_ error: (any Error)?) {
        lastWriteFailed = error.map(Self.isStorageFailure) ?? false
        if let error { lastError = String(describing: error) }
    }

    /// Whether `error` says the storage fails (full, read-only, I/O, locked, out of memory)
    /// rather than that SQLite refuses one record (too big, a constraint).
    static func isStorageFailure(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return true }
        // SQLITE_BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB
        return [5, 6, 7, 8, 10, 11, 13, 14, 15, 26].contains(error.code & 0xff)
    }

    private enum Work {
        case batch([Entry])
        case retry([Entry])
        case derive
    }

    /// Waits for records and takes up to `batchSize`, or the held records when their retry
    /// is due; nil once closed, drained and the held records tried a last time.
    private func nextWork() -> Work? {
        condition.lock()
        defer { condition.unlock() }
        if underived >= deriveBatch && Date() >= nextDerive { return .derive }
        while queue.count == head {
            if closing {
                if !held.isEmpty, !finalRetryDone {
                    finalRetryDone = true
                    return .retry(held)
                }
                guard underived > 0, Date() >= nextDerive else { return nil }
                return .derive
            }
            let now = Date()
            if !held.isEmpty, now >= nextRetry { return .retry(held) }
            if underived > 0, now >= nextDerive { return .derive }
            let deadlines = (held.isEmpty ? [] : [nextRetry]) + (underived > 0 ? [nextDerive] : [])
            if let deadline = deadlines.min() {
                _ = condition.wait(until: deadline)
            } else {
                condition.wait()
            }
        }
        // Journaled records gather for up to `gatherDelay` into one transaction.
        while !closing, flushing == 0, queuedWaiters == 0, queue.count - head < batchSize {
            let deadline = queuedSince.addingTimeInterval(gatherDelay)
            guard Date() < deadline else { break }
            _ = condition.wait(until: deadline)
        }
        let end = min(queue.count, head + batchSize)
        let batch = Array(queue[head..<end])
        queuedWaiters -= batch.reduce(0) { $0 + ($1.waiter == nil ? 0 : 1) }
        head = end  // what is left, queued since `queuedSince` or later, goes next without gathering
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return .batch(batch)
    }
}
