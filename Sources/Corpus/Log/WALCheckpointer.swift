import ChatAPI
import Foundation

/// Checkpoints the corpus's WAL on a thread and connection of its own, every `interval`
/// while there are new commits (``noteCommit()``). A passive checkpoint needs no write
/// lock, so the exchange writer keeps committing while pages are copied and synced: no
/// acknowledged request waits for a checkpoint. (SQLite's own autocheckpoint would run it
/// inside the commit that crosses 1000 pages.)
final class WALCheckpointer: @unchecked Sendable {
    // @unchecked: the mutable state is guarded by `condition`; the connection is the thread's alone.
    private let condition = NSCondition()
    private var pending = false
    private var closing = false
    private var stopped = false
    private let interval: TimeInterval
    private let database: SQLiteDatabase

    /// Opens its own connection to `path` and starts the thread.
    init(path: String, interval: TimeInterval = 0.5) throws {
        self.interval = interval
        database = try SQLiteDatabase(path: path)
        try Migrations.configure(database)
        let thread = Thread { [self] in
            nameCurrentThread("retort-wal")
            self.run()
        }
        thread.start()
    }

    /// Says the WAL has grown.
    func noteCommit() {
        condition.withLock {
            pending = true
            condition.signal()
        }
    }

    /// Checkpoints once more if needed and stops the thread.
    func close() {
        condition.lock()
        closing = true
        condition.signal()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while !pending && !closing { condition.wait() }
            let last = closing
            pending = false
            condition.unlock()
            try? database.execute("PRAGMA wal_checkpoint(PASSIVE)")
            if last { break }
            Thread.sleep(forTimeInterval: interval)
        }
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }
}
