import Corpus
import Foundation
import Testing

/// Acknowledged means durable: ``ExchangeLog/commit(_:)`` returns once the record is in the
/// journal (and a corpus that follows the log reads it at once), or, when the journal
/// cannot take it, once SQLite has committed it. A full disk or a record SQLite refuses
/// holds records for retry instead of dropping them, and the log says it is failing only
/// while the storage fails.
@Suite struct ExchangeLogDurabilityTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("retort-durable-\(UUID().uuidString).sqlite").path
    }

    func record(_ i: Int, route: String = "r", padding: Int = 0) -> ExchangeRecord {
        var r = ExchangeRecord(id: ExchangeID.make(), createdAt: Double(i), route: route, status: 200, stream: false,
                               promptHash: "h\(i)", requestJSON: #"{"i":\#(i)}"#)
        r.responseJSON = String(repeating: "x", count: padding)
        return r
    }

    func storedCount(_ path: String) throws -> Int {
        try SQLiteDatabase(path: path).query("SELECT count(*) FROM exchanges").first?.first?.int ?? -1
    }

    @Test func anAcknowledgedRecordIsReadAtOnceThroughTheCorpusThatFollowsTheLog() async throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path)
        let reader = try SQLiteCorpus(path: path)
        reader.follow(log)
        for i in 0..<20 {
            let r = record(i)
            #expect(await log.commit(r))
            #expect(try reader.exchange(id: r.id)?.id == r.id)
        }
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<200 { group.addTask { await log.commit(self.record(100 + i)) } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 200 && results.allSatisfy { $0 })
        #expect(try reader.exchangeCount() == 220)
        log.flush()  // what `follow` does before each use
        #expect(try storedCount(path) == 220 && log.writtenCount == 220)
        #expect(log.journalBytes == 0, "everything is in SQLite: the journal is emptied")
        log.close()
        #expect(journalFiles(path).isEmpty, "a log closed with everything in SQLite leaves no journal")
    }

    /// Without the journal (``ExchangeLog/init(path:capacity:batchSize:retryInterval:journalLimit:prepare:)``
    /// with a limit of 0, what a journal that cannot write falls back to) a commit returns
    /// after its SQLite transaction, which many waiters share.
    @Test func withoutTheJournalACommitWaitsForItsTransaction() async throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path, journalLimit: 0)
        for i in 0..<20 {
            let r = record(i)
            #expect(await log.commit(r))
            #expect(try SQLiteCorpus(path: path).exchange(id: r.id)?.id == r.id)
        }
        // Many waiters share transactions (group commit) and each learns of its own.
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<200 { group.addTask { await log.commit(self.record(100 + i)) } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 200 && results.allSatisfy { $0 })
        #expect(try storedCount(path) == 220 && log.writtenCount == 220)
    }

    /// A database that may not grow (SQLite's `max_page_count`, what a full disk looks
    /// like to it): the records are held, the log refuses new work and says why; once
    /// space is freed the held records are written and the log accepts again.
    @Test func aFullDiskHoldsRecordsUntilSpaceIsFreed() async throws {
        let path = temporaryPath()
        // The journal is off: on a full disk it could not write either.
        let log = try ExchangeLog(path: path, retryInterval: 0.05, journalLimit: 0) { db in
            try db.execute("CREATE TABLE ballast(b BLOB); INSERT INTO ballast VALUES (zeroblob(400000)); PRAGMA wal_checkpoint(TRUNCATE);")
            let pages = try db.query("PRAGMA page_count").first?.first?.int ?? 0
            try db.execute("PRAGMA max_page_count = \(pages)")
        }
        let records = (0..<5).map { record($0, padding: 20_000) }
        for r in records { #expect(await log.commit(r) == false) }
        #expect(!log.isAccepting)
        let health = log.health
        #expect(health.failing && health.held == 5)
        #expect(health.lastError?.contains("full") == true)
        #expect(try storedCount(path) == 0)

        try SQLiteDatabase(path: path).execute("DELETE FROM ballast")  // the operator frees space
        for _ in 0..<200 where log.heldCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(log.heldCount == 0 && log.isAccepting && !log.health.failing)
        #expect(try storedCount(path) == 5)
        #expect(await log.commit(record(9)))
    }

    /// One record SQLite refuses (a trigger stands in for a record too big) is held on its
    /// own; the rest of its batch is committed and the log keeps accepting. (Without the
    /// journal, so the refusal reaches the caller.)
    @Test func aRefusedRecordIsHeldWithoutTakingItsBatch() async throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path, batchSize: 64, retryInterval: 0.05, journalLimit: 0) { db in
            try db.execute("CREATE TRIGGER refuse BEFORE INSERT ON exchanges WHEN NEW.route = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END;")
        }
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for i in 0..<40 { group.addTask { (i, await log.commit(self.record(i, route: i == 17 ? "poison" : "r"))) } }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.filter { !$0.value }.map(\.key) == [17])
        #expect(try storedCount(path) == 39)
        #expect(log.isAccepting && !log.health.failing && log.heldCount == 1)
        try SQLiteDatabase(path: path).execute("DROP TRIGGER refuse")
        for _ in 0..<200 where log.heldCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try storedCount(path) == 40)
    }

    @Test func closeTriesHeldRecordsOnceMore() async throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path, retryInterval: 3600, journalLimit: 0) { db in
            try db.execute("CREATE TRIGGER refuse BEFORE INSERT ON exchanges WHEN NEW.route = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END;")
        }
        #expect(await log.commit(record(1, route: "poison")) == false)
        try SQLiteDatabase(path: path).execute("DROP TRIGGER refuse")
        log.close()
        #expect(try storedCount(path) == 1)
    }
}

/// Several processes opening a new corpus at once (the gateway and a training child):
/// only one applies the migrations, none fails.
@Suite struct ConcurrentMigrationTests {
    @Test func connectionsMigratingTogetherAllSucceed() throws {
        for _ in 0..<20 {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("retort-migrate-\(UUID().uuidString).sqlite").path
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do {
                    let db = try SQLiteDatabase(path: path)
                    try Migrations.configure(db)
                    try Migrations.migrate(db)
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            #expect(try SQLiteDatabase(path: path).query("PRAGMA user_version").first?.first?.int == Migrations.currentVersion)
        }
    }
}

/// Errors collected from several threads.
final class Failures: @unchecked Sendable {
    // @unchecked: `errors` is guarded by `lock`.
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ error: String) { lock.withLock { errors.append(error) } }
    var all: [String] { lock.withLock { errors } }
}
