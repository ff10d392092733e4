import ChatAPI
@testable import Corpus
import Foundation
import Testing

/// The journal files of the database at `path`, as full paths.
func journalFiles(_ path: String) -> [String] {
    let url = URL(fileURLWithPath: path)
    return ((try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? [])
        .filter { $0.hasPrefix(url.lastPathComponent + "-acks-") }
        .map { url.deletingLastPathComponent().appendingPathComponent($0).path }
}

/// The acknowledgement journal: records survive it field for field, a journal nobody
/// holds is recovered into SQLite once (a torn last frame ignored, exchanges SQLite has
/// left alone), a live one is not touched, and the files stay bounded.
@Suite struct AckJournalTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("retort-journal-\(UUID().uuidString).sqlite").path
    }

    func record(_ i: Int, route: String = "r") -> ExchangeRecord {
        ExchangeRecord(id: ExchangeID.make(), createdAt: Double(i), route: route, status: 200, stream: false,
                       promptHash: "h\(i)", requestJSON: #"{"i":\#(i)}"#)
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    func storedIDs(_ path: String) throws -> Set<String> {
        try Set(SQLiteDatabase(path: path).query("SELECT id FROM exchanges").compactMap { $0.first?.string })
    }

    @Test func everyFieldSurvivesTheJournal() throws {
        var full = record(7)
        full.completedAt = 8.25
        full.servedBy = "student"
        full.servedReason = "canary"
        full.teacherURL = "https://teacher.example/v1"
        full.upstreamModel = "big-model"
        full.completionID = "chatcmpl-1"
        full.status = 499
        full.error = "client went away"
        full.latencyMs = 12.5
        full.ttftMs = 3.75
        full.promptTokens = 11
        full.completionTokens = -1
        full.totalTokens = Int.max
        full.finishReason = "length"
        full.stream = true
        full.attempts = 3
        full.user = "ada"
        full.tags = ["a", "", "task:é😀"]
        full.metadata = #"{"k":"v"}"#
        full.responseJSON = #"{"choices":[]}"#
        full.surface = "responses"
        full.rawRequestJSON = #"{"input":"hi"}"#
        full.rawResponseJSON = #"{"output":[]}"#
        full.teacherLogprobs = TokenLogprobs(tokens: [
            .init(bytes: Array("Hi".utf8), logprob: -0.5, top: [.init(bytes: Array("Hi".utf8), logprob: -0.5), .init(bytes: [0xE2], logprob: -2)]),
        ])
        let bare = record(1)
        for original in [full, bare] {
            let bytes = original.journalBytes
            #expect(ExchangeRecord(journalBytes: bytes[...]) == original)
            #expect(ExchangeRecord(journalBytes: bytes.dropLast()) == nil, "a cut record is refused")
            #expect(ExchangeRecord(journalBytes: (bytes + [0])[...]) == nil, "trailing bytes are refused")
            #expect(ExchangeRecord(journalBytes: ([ExchangeRecord.journalVersion + 1] + bytes.dropFirst())[...]) == nil)
        }
    }

    /// A journal left by a process that died (closed with records not yet in SQLite) is
    /// read by the next log: the records SQLite lacks are inserted, one it has (and has
    /// rated since) is left alone, a torn last frame is ignored, and the file is deleted.
    @Test func anOrphanedJournalIsRecoveredOnce() async throws {
        let path = temporaryPath()
        let records = (0..<3).map { record($0) }
        let first = try ExchangeLog(path: path)
        #expect(await first.commit(records[0]))
        first.close()
        try SQLiteDatabase(path: path).execute("UPDATE exchanges SET rating = 1 WHERE id = '\(records[0].id)'")

        let journal = try AckJournal(databasePath: path, limit: 1 << 20)
        for r in records { #expect(journal.append(r) != nil) }
        journal.close()  // nothing indexed: the file stays, as after a kill
        let files = journalFiles(path)
        try #require(files.count == 1)
        let torn = AckJournal.frame(record(3).journalBytes).prefix(30)
        let handle = try #require(FileHandle(forWritingAtPath: files[0]))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(torn))
        try handle.close()

        let log = try ExchangeLog(path: path)
        #expect(log.recoveredCount == 2)
        #expect(try storedIDs(path) == Set(records.map(\.id)))
        let rating = try SQLiteDatabase(path: path).query("SELECT rating FROM exchanges WHERE id = '\(records[0].id)'")
        #expect(rating.first?.first?.int == 1)
        #expect(!journalFiles(path).contains(files[0]))
        log.close()
        #expect(journalFiles(path).isEmpty)
        let again = try ExchangeLog(path: path)
        #expect(again.recoveredCount == 0)
        again.close()
    }

    /// Commands that only read recover an orphaned journal the same way.
    @Test func aReaderCanRecoverWithoutOpeningALog() throws {
        let path = temporaryPath()
        try ExchangeLog(path: path).close()
        let journal = try AckJournal(databasePath: path, limit: 1 << 20)
        let r = record(1)
        #expect(journal.append(r) != nil)
        journal.close()
        #expect(try ExchangeLog.recoverJournals(path: path) == 1)
        #expect(try storedIDs(path) == [r.id])
        #expect(journalFiles(path).isEmpty)
    }

    /// A journal its process still holds is not recovered by another log on the database.
    @Test func aLiveJournalIsLeftToItsOwner() async throws {
        let path = temporaryPath()
        try ExchangeLog(path: path).close()
        let live = try AckJournal(databasePath: path, limit: 1 << 20)
        #expect(live.append(record(1)) != nil)
        let other = try ExchangeLog(path: path)
        #expect(other.recoveredCount == 0)
        #expect(try storedIDs(path).isEmpty)
        other.close()
        live.close()
        let next = try ExchangeLog(path: path)
        #expect(next.recoveredCount == 1)
        next.close()
    }

    /// Past its limit the journal refuses an append without leaving bytes behind; a
    /// segment whose records are all indexed is emptied, or deleted once appends moved on.
    @Test func theJournalStaysBounded() throws {
        let path = temporaryPath()
        let r = record(1)
        let frame = AckJournal.frame(r.journalBytes).count
        let bounded = try AckJournal(databasePath: path, limit: frame + frame / 2)
        let ticket = try #require(bounded.append(r))
        #expect(bounded.append(record(2)) == nil)
        let file = try #require(journalFiles(path).first)
        #expect(fileSize(file) == frame)
        bounded.indexed([ticket])
        #expect(fileSize(file) == 0)
        #expect(bounded.append(record(3)) != nil, "room again once indexed")
        bounded.close()
        #expect(journalFiles(path) == [file], "closed with a record not indexed: kept")
        try FileManager.default.removeItem(atPath: file)

        let rotating = try AckJournal(databasePath: path, limit: 1 << 20, segmentBytes: 1)
        let tickets = try (0..<3).map { try #require(rotating.append(record($0))) }
        #expect(tickets.map(\.segment) == [0, 1, 2])
        #expect(journalFiles(path).count == 3)
        rotating.indexed([tickets[0]])
        #expect(journalFiles(path).count == 2)
        rotating.indexed([tickets[1], tickets[2]])
        let left = journalFiles(path)
        #expect(left.count == 1 && left.first.map(fileSize) == 0)
        rotating.close()
        #expect(journalFiles(path).isEmpty)
    }

    /// Journaled records one after the other share a transaction (the writer gathers them,
    /// here for up to five seconds); a flush does not wait for the gathering.
    @Test func journaledRecordsShareTransactions() async throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path, gatherDelay: 5)
        let start = ContinuousClock.now
        for i in 0..<50 { #expect(await log.commit(record(i))) }
        log.flush()
        #expect(log.writtenCount == 50)
        #expect(log.batchCount == 1, "\(log.batchCount) transactions for 50 records")
        for i in 50..<55 {
            #expect(await log.commit(record(i)))
            log.flush()
        }
        #expect(log.writtenCount == 55)
        #expect(log.batchCount == 6)
        #expect(ContinuousClock.now - start < .seconds(4))
        log.close()
    }

    /// When the journal cannot take a record, the commit waits for SQLite instead.
    @Test func aFullJournalFallsBackToWaitingForSQLite() async throws {
        let path = temporaryPath()
        let log = try ExchangeLog(path: path, journalLimit: 16)
        let r = record(1)
        #expect(await log.commit(r))
        #expect(try storedIDs(path) == [r.id], "committed before the acknowledgement, no flush needed")
        log.close()
    }

    /// A record SQLite refuses is still acknowledged (the journal has it), held, and,
    /// if still refused when the log closes, recovered by a later open once SQLite takes
    /// it; an open that cannot insert it yet keeps the journal and opens anyway.
    @Test func aRefusedRecordWaitsInTheJournalUntilSQLiteTakesIt() async throws {
        let path = temporaryPath()
        let refuse = "CREATE TRIGGER refuse BEFORE INSERT ON exchanges WHEN NEW.route = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END;"
        let log = try ExchangeLog(path: path, retryInterval: 3600) { try $0.execute(refuse) }
        let poison = record(1, route: "poison")
        #expect(await log.commit(poison))
        log.flush()
        #expect(log.heldCount == 1)
        log.close()
        #expect(journalFiles(path).count == 1)

        let stillRefusing = try ExchangeLog(path: path)
        #expect(stillRefusing.recoveredCount == 0)
        stillRefusing.close()
        #expect(journalFiles(path).count == 1)

        try SQLiteDatabase(path: path).execute("DROP TRIGGER refuse")
        let taking = try ExchangeLog(path: path)
        #expect(taking.recoveredCount == 1)
        #expect(try storedIDs(path) == [poison.id])
        taking.close()
        #expect(journalFiles(path).isEmpty)
    }
}
