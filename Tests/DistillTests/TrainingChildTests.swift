import Corpus
import Distill
import Foundation
import Testing

/// Training children that can't leave a run stuck: a child that dies fails its run (so
/// the next can start), a child the gateway stops keeps its run for resuming, and a run
/// is claimed in one statement.
@Suite struct TrainingChildTests {
    /// An executable that runs `body` as a shell script.
    func script(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retort-child-\(UUID().uuidString).sh").path
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func waitForStatus(_ store: TrainingStore, _ id: String, toLeave status: TrainingRun.Status) async throws -> TrainingRun? {
        for _ in 0..<300 {
            if let run = try store.run(id: id), run.status != status { return run }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try store.run(id: id)
    }

    @Test(arguments: [("kill -9 $$", "was killed by signal 9"), ("exit 3", "exited with status 3")])
    func aChildThatDiesFailsItsRunAndTheNextCanStart(body: String, reason: String) async throws {
        let corpus = try TrainingCorpus()
        let launcher = TrainingLauncher(executable: try script(body), database: corpus.path, baseModel: "m", environment: [:])
        let store = TrainingStore(reader: corpus.reader)
        let first = try launcher.start(TrainingSettings(kind: .sft), store: store)
        let ended = try await waitForStatus(store, first.id, toLeave: .queued)
        #expect(ended?.status == .failed)
        #expect(ended?.error?.contains(reason) == true, "\(ended?.error ?? "no error")")
        #expect(ended?.error?.contains("runs/\(first.id)/train.log") == true)
        let second = try launcher.start(TrainingSettings(kind: .sft), store: store)
        #expect(second.id != first.id)
    }

    @Test func aChildTheGatewayStopsKeepsItsRunForResuming() async throws {
        let corpus = try TrainingCorpus()
        let launcher = TrainingLauncher(executable: try script("exec sleep 30"), database: corpus.path, baseModel: "m", environment: [:])
        let store = TrainingStore(reader: corpus.reader)
        let run = try launcher.start(TrainingSettings(kind: .sft), store: store)
        try await Task.sleep(for: .milliseconds(100))
        TrainingLauncher.stopChildren()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try store.run(id: run.id)?.status == .queued)
    }

    /// The child gets SIGTERM: its handler runs (a shell runs a trap only between
    /// commands, so the script waits on a background sleep, which a signal interrupts).
    /// Spawned from a test thread that blocks signals, as the gateway's threads do, it
    /// would not without a clean signal mask. It inherits none of our descriptors either.
    @Test func stoppingChildrenSignalsThem() async throws {
        let corpus = try TrainingCorpus()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retort-term-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ready = directory + "/ready", stopped = directory + "/stopped", descriptors = directory + "/fds"
        let body = "trap 'echo term > \(stopped); exit 0' TERM\nls -l /proc/$$/fd > \(descriptors)\n: > \(ready)\nsleep 30 &\nwait $!"
        let launcher = TrainingLauncher(executable: try script(body), database: corpus.path, baseModel: "m", environment: [:])
        let pid = try launcher.launch(["sft"], log: "runs/term/train.log")
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: ready) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(FileManager.default.fileExists(atPath: ready), "the child did not start")
        let open = (try? String(contentsOfFile: descriptors, encoding: .utf8)) ?? ""
        #expect(!open.contains(corpus.path) && !open.contains("socket:"), "\(open)")
        TrainingLauncher.stopChildren()
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: stopped) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(FileManager.default.fileExists(atPath: stopped), "the child \(pid) never got SIGTERM")
    }

    @Test func ofRacingClaimsExactlyOneWins() throws {
        let corpus = try TrainingCorpus()
        let path = corpus.path
        let won = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            guard let reader = try? SQLiteCorpus(path: path) else { return }
            if (try? TrainingStore(reader: reader).claimRun(kind: "sft", config: .object([]))) != nil { won.increment() }
        }
        #expect(won.value == 1)
        #expect(try TrainingStore(reader: corpus.reader).runs().count == 1)
    }
}

/// A thread-safe count.
final class Counter: @unchecked Sendable {
    // @unchecked: `count` is guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
