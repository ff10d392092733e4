import Corpus
import Distill
import Foundation
import Serving
import Testing

/// The automatic schedule against a real corpus, with a stand-in `retort` that records how
/// it was started, and the wall clock moved by hand.
@Suite struct TrainingSchedulerTests {
    /// A script that appends its arguments to a file, and that file.
    private func recordingExecutable() throws -> (script: String, output: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("retort-fake-\(UUID().uuidString)").path
        try "#!/bin/sh\necho \"$@\" >> \(base).out\nsleep 2\n".write(toFile: base + ".sh", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base + ".sh")
        return (base + ".sh", base + ".out")
    }

    private func scheduler(_ corpus: TrainingCorpus, executable: String, clock: ManualWallClock) -> TrainingScheduler {
        var settings = TrainingScheduleSettings()
        settings.auto = true
        settings.minNewExchanges = 5
        let launcher = TrainingLauncher(executable: executable, database: corpus.path, baseModel: "/models/base.gguf",
                                        environment: ["PATH": "/usr/bin:/bin"], configPath: "/etc/retort/gateway.json")
        return TrainingScheduler(settings: settings, reader: corpus.reader, launcher: launcher, metrics: DiscardedMetrics(),
                                 clock: clock)
    }

    @Test func aRunStartsOnEnoughNewDataAndOnlyOneAtATime() throws {
        let corpus = try TrainingCorpus()
        let fake = try recordingExecutable()
        let scheduler = scheduler(corpus, executable: fake.script, clock: ManualWallClock())
        corpus.addTask(count: 2)
        #expect(try scheduler.check() == nil)
        corpus.addTask(count: 40)
        let run = try #require(try scheduler.check())
        #expect(run.kind == "sft" && run.status == .queued)
        #expect(try TrainingSettings.from(json: run.config).kind == .sft)
        #expect(try scheduler.check() == nil)  // the first run is still queued
    }

    @Test func aQueuedRunNeverStartedIsResumedAfterAMinuteOfTheInjectedClock() throws {
        let corpus = try TrainingCorpus()
        let fake = try recordingExecutable()
        let clock = ManualWallClock(SystemWallClock().now())
        let scheduler = scheduler(corpus, executable: fake.script, clock: clock)
        let run = try TrainingStore(reader: corpus.reader).createRun(kind: "sft", config: TrainingSettings(kind: .sft).json)
        #expect(scheduler.resumeInterrupted().isEmpty)
        clock.advance(by: 61)
        #expect(scheduler.resumeInterrupted() == [run.id])
        var written = ""
        for _ in 0..<200 where written.isEmpty {
            written = (try? String(contentsOfFile: fake.output, encoding: .utf8)) ?? ""
            Thread.sleep(forTimeInterval: 0.01)
        }
        // The child reads the gateway's own configuration: its evaluation uses the same routes and gate.
        #expect(written.hasPrefix("train resume \(run.id) --config /etc/retort/gateway.json --db \(corpus.path)"))
    }

    @Test func anActiveRunRefusesASecondStart() throws {
        let corpus = try TrainingCorpus()
        let fake = try recordingExecutable()
        let launcher = TrainingLauncher(executable: fake.script, database: corpus.path, baseModel: "m", environment: [:])
        let store = TrainingStore(reader: corpus.reader)
        let first = try launcher.start(TrainingSettings(kind: .sft), store: store)
        #expect(throws: DistillError.self) { try launcher.start(TrainingSettings(kind: .dpo), store: store) }
        #expect(try store.runs().map(\.id) == [first.id])
    }
}
