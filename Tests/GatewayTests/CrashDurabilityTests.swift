import ChatAPI
import Corpus
import Foundation
import Synchronization
import Teacher
import TestSupport
import Testing

/// `kill -9` of a loaded gateway loses no acknowledged exchange: every 200 a client read
/// whole (for a stream: every `[DONE]` it saw) is in SQLite afterwards.
///
/// Runs the `retort` executable built beside the tests (`RETORT_BINARY` names another),
/// against a mock teacher in this process, with 16 clients, a quarter of them streaming.
@Suite struct CrashDurabilityTests {
    /// What the client tasks share.
    final class Load: Sendable {
        /// Exchange ids of answers read whole.
        let acknowledged = Mutex<[String]>([])
        /// Set once the gateway is killed.
        let killed = Atomic<Bool>(false)
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["RETORT_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/retort").path
    }

    @Test func killNineLosesNothingAcknowledged() async throws {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the retort executable first (swift build): \(binary)")
        let mock = try MockTeacher(handler: MockTeacher.defaultReply)
        defer { mock.shutdown() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retort-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("corpus.sqlite").path
        let port = try freePort()
        let config = directory.appendingPathComponent("retort.json")
        let routes = #"[{"name":"default","teacher_model":"mock-teacher"}]"#
        try Data(#"{"port":\#(port),"database":"\#(database)","teacher":{"url":"\#(mock.baseURL)","max_attempts":1},"routes":\#(routes)}"#.utf8)
            .write(to: config)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", config.path]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(port)", retry: .never))
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? await client.send(TeacherRequest(method: "GET", path: "/healthz")))?.status == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(ready, "the gateway did not start")

        let load = Load()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var index = 0
                    while !load.killed.load(ordering: .acquiring) {
                        index += 1
                        let stream = (worker + index) % 4 == 0
                        let body = Array(chatBody(stream: stream, text: "crash \(worker)-\(index)").utf8)
                        do {
                            let response = try await client.send(TeacherRequest(path: "/v1/chat/completions",
                                                                                headers: [("Content-Type", "application/json")], body: body))
                            let text = String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
                            guard response.status == 200, let id = response.header("x-retort-exchange-id"),
                                  !stream || text.contains("data: [DONE]") else { continue }
                            load.acknowledged.withLock { $0.append(id) }
                        } catch {
                            continue  // cut off by the kill: not acknowledged
                        }
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(1500))
                kill(process.processIdentifier, SIGKILL)
                load.killed.store(true, ordering: .releasing)
            }
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let acked = load.acknowledged.withLock { $0 }
        func storedIDs() throws -> Set<String> {
            try Set(SQLiteDatabase(path: database).query("SELECT id FROM exchanges").compactMap { $0.first?.string })
        }
        let inSQLiteAtTheKill = try storedIDs().count
        // What the next `retort serve` does first: open the log, which recovers the dead
        // gateway's journal into SQLite.
        let reopened = try ExchangeLog(path: database)
        reopened.close()
        let stored = try storedIDs()
        let lost = acked.filter { !stored.contains($0) }
        #expect(acked.count >= 100, "too little load to mean anything: \(acked.count) acknowledged")
        #expect(lost.isEmpty, "\(lost.count) of \(acked.count) acknowledged exchanges missing after kill -9: \(lost.prefix(5))")
        #expect(stored.count == inSQLiteAtTheKill + reopened.recoveredCount)
        print("kill -9 under load: \(acked.count) acknowledged, \(inSQLiteAtTheKill) in SQLite at the kill, "
              + "\(reopened.recoveredCount) recovered from the journal, \(stored.count) stored, \(lost.count) lost")
        try? FileManager.default.removeItem(at: directory)
    }

    /// A gateway that cannot start (its port is taken) says so, exits non-zero and closes
    /// its log: no journal file of its own is left beside the database.
    @Test func aGatewayThatCannotBindClosesItsLog() throws {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the retort executable first (swift build): \(binary)")
        let taken = try MockTeacher(handler: MockTeacher.defaultReply)  // holds the port
        defer { taken.shutdown() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bind-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("corpus.sqlite").path
        let config = directory.appendingPathComponent("retort.json")
        try Data(#"{"port":\#(taken.port),"database":"\#(database)","teacher":{"url":"\#(taken.baseURL)"}}"#.utf8).write(to: config)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", config.path]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus != 0)
        #expect(message.contains("Address already in use"), "\(message.suffix(300))")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!files.contains { $0.contains("-acks-") }, "\(files)")
        #expect(files.contains("corpus.sqlite"))
    }
}
