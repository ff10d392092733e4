import Foundation
import Testing

@testable import Corpus

@Suite struct ExchangeLogTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("retort-\(UUID().uuidString).sqlite").path
    }

    func record(_ i: Int) -> ExchangeRecord {
        var r = ExchangeRecord(id: ExchangeID.make(), createdAt: Double(i), route: "r", status: 200, stream: i % 2 == 0,
                               promptHash: "h\(i)", requestJSON: #"{"i":\#(i)}"#)
        r.completionID = "chatcmpl-\(i)"
        r.tags = ["a", "b"]
        r.responseJSON = #"{"ok":true}"#
        r.promptTokens = i
        return r
    }

    @Test func writesEveryRecordAndReadsItBack() throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path, capacity: 10_000, batchSize: 50)
        let records = (0..<1000).map(record)
        for r in records { #expect(log.append(r)) }
        log.flush()
        let reader = try SQLiteCorpus(path: path)
        #expect(try reader.exchangeCount() == 1000)
        #expect(try reader.exchange(id: records[7].id) == records[7])
        #expect(try reader.exchange(completionID: "chatcmpl-9")?.id == records[9].id)
        #expect(log.droppedCount == 0 && log.writtenCount == 1000)
        log.close()
        #expect(!log.append(record(1)))
        #expect(log.droppedCount == 1)
    }

    /// `top -H`, `ps -L` and `perf` show the log's threads by name (Linux keeps a name only
    /// when the thread sets it itself, and only up to 15 bytes).
    @Test func theWriterAndCheckpointThreadsAreNamed() throws {
        let log = try ExchangeLog(path: temporaryPath())
        defer { log.close() }
        #expect(log.append(record(1)))
        log.flush()
        let names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { task in
            try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
        }
        #expect(names.contains("retort-writer"))
        #expect(names.contains("retort-wal"))
    }

    /// The search index and rollups are not in the commit: the writer catches them up
    /// behind it, a reader before it searches or counts, and every exchange is counted
    /// exactly once however the two interleave.
    @Test func searchAndStatsCatchUpBehindTheCommitExactlyOnce() async throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path, capacity: 10_000, batchSize: 7)
        let reader = try SQLiteCorpus(path: path), other = try SQLiteCorpus(path: path)
        reader.follow(log)  // as the gateway's reader does: acknowledged means readable here
        other.follow(log)
        func watermark() throws -> Int {
            try reader.withDatabase { try $0.fetchOne("SELECT seq FROM derived_progress") { try $0.int("seq") } ?? -1 }
        }
        var written = 0
        for round in 0..<20 {
            for i in 0..<37 {
                var r = record(written + i)
                r.responseJSON = #"{"choices":[{"message":{"role":"assistant","content":"answer round\#(round)"}}]}"#
                _ = await log.commit(r)
            }
            written += 37
            // Readers on two connections catch up while the writer may be catching up too.
            #expect(try (round % 2 == 0 ? reader : other).stats().exchanges == written)
            var filter = ExchangeFilter(limit: 100)
            filter.text = "round\(round)"
            #expect(try other.list(filter).items.count == 37)
        }
        // With no reader asking, the writer's own catch-up reaches the last exchange.
        for i in 0..<5 { _ = await log.commit(record(10_000 + i)) }
        for _ in 0..<200 where try watermark() < written + 5 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try watermark() == written + 5)
        #expect(try reader.stats().exchanges == written + 5)
        log.close()
    }

    @Test func fullQueueDropsAndCounts() throws {
        let log = try ExchangeLog(path: temporaryPath(), capacity: 1, batchSize: 1)
        var accepted = 0
        for i in 0..<2000 where log.append(record(i)) { accepted += 1 }
        log.flush()
        #expect(accepted + log.droppedCount == 2000)
        #expect(log.writtenCount == accepted)
    }

    @Test func migrationsAreIdempotentAndVersioned() throws {
        let path = temporaryPath()
        _ = try ExchangeLog(path: path)
        let db = try SQLiteDatabase(path: path)
        try Migrations.migrate(db)
        #expect(try db.query("PRAGMA user_version").first?.first?.int == Migrations.currentVersion)
        #expect(try db.query("PRAGMA journal_mode").first?.first?.string == "wal")
    }

    @Test func uuidV7EncodesTime() throws {
        let id = ExchangeID.make(now: Date(timeIntervalSince1970: 1_700_000_000.123))
        #expect(id.count == 36)
        let stamp = try #require(ExchangeID.timestamp(of: id))
        #expect(abs(stamp.timeIntervalSince1970 - 1_700_000_000.123) < 0.002)
        #expect(ExchangeID.make() < ExchangeID.make(now: Date().addingTimeInterval(1)))
    }

    @Test func idsDrawnAcrossManyPoolRefillsAreDistinctAndWellFormed() {
        let ids = (0..<2_000).map { _ in ExchangeID.make(now: Date(timeIntervalSince1970: 1_700_000_000)) }
        #expect(Set(ids).count == ids.count)  // one millisecond: the random bits alone tell them apart
        for id in ids.prefix(100) {
            let hex = Array(ExchangeID.compact(id))
            #expect(hex.count == 32 && hex[12] == "7" && "89ab".contains(hex[16]))
        }
        // Every bit position of the pool's output takes both values.
        let draws = (0..<64).map { _ in EntropyPool.shared.next() }
        #expect(draws.reduce(0, |) == .max && draws.reduce(.max, &) == 0)
    }

    @Test func transactionRollsBackOnError() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t(x)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction { try db.execute("INSERT INTO t VALUES (1)"); throw Boom() }
        }
        #expect(try db.query("SELECT count(*) FROM t").first?.first?.int == 0)
    }
}
