import ChatAPI
import Corpus
import Distill
import Engine
import Foundation
import Serving
import TestSupport
import Testing

/// The training pipeline end to end on the tiny model: a run snapshots the curated train
/// split, trains, exports a GGUF and registers a version; a run that fails leaves every
/// registered version, and the route it serves, as they were.
@Suite struct TrainingJobTests {
    private func settings(from version: String? = nil) -> TrainingSettings {
        var settings = TrainingSettings(kind: .sft)
        settings.maxSteps = 3
        settings.maxSeq = 200  // the tiny model's tokens are bytes: the system prompt alone is ~70
        settings.batchTokens = 400
        settings.from = version
        return settings
    }

    @Test func aRunSnapshotsTrainsExportsAndRegistersAVersion() throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 16)
        let base = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let job = try TrainingJob.start(settings: settings(), runID: nil, reader: corpus.reader, database: corpus.path,
                                        baseModelPath: base)
        let version = try job.execute()
        let store = TrainingStore(reader: corpus.reader)
        let run = try #require(try store.run(id: job.runID))
        #expect(run.status == .succeeded && run.kind == "sft")
        #expect((run.dataSnapshot?["used"]?.intValue ?? 0) > 0)
        #expect(try store.metrics(runID: job.runID).count == 3)
        #expect(version.version == "s-0001" && version.runID == job.runID)
        // The exported GGUF keeps what training learned (its loss beside the trained weights').
        let check = try #require(version.metrics?["export_check"])
        let trained = try #require(check["trained_loss"]?.doubleValue), exported = try #require(check["gguf_loss"]?.doubleValue)
        #expect(trained > 0 && abs(exported - trained) < 0.05 * trained + 0.01)
        #expect(try store.students().map(\.version) == ["s-0001"])
        let gguf = try #require(version.path(of: "gguf"))
        var student = StudentSettings()
        student.model = gguf
        #expect(StudentBackend(settings: student).loadError == nil)
        #expect(!FileManager.default.fileExists(atPath: (corpus.path as NSString).deletingLastPathComponent + "/runs/" + job.runID))
    }

    /// A DPO run learns from the teacher's judgments (`ai_feedback` pairs), weighed by
    /// `source_weights`, and says how many pairs of each source it used; weight 0 leaves a
    /// source out.
    @Test func aDPORunTrainsOnJudgedPairsWeighedByTheirSource() throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 24)
        let ids = try corpus.reader.withDatabase { db in try db.query("SELECT id FROM exchanges").compactMap { $0.first?.string } }
        for id in ids {
            try ServingStore(reader: corpus.reader).recordJudgedPair(
                exchangeID: id, studentMessage: #"{"role":"assistant","content":"{\"city\": null}"}"#, studentWon: false, at: 1)
        }
        let base = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: base) }
        var dpo = settings()
        dpo.kind = .dpo
        dpo.sourceWeights = ["ai_feedback": 0.5]
        let job = try TrainingJob.start(settings: dpo, runID: nil, reader: corpus.reader, database: corpus.path, baseModelPath: base)
        _ = try job.execute()
        let run = try #require(try TrainingStore(reader: corpus.reader).run(id: job.runID))
        let used = try #require(run.dataSnapshot?["pair_sources"]?["ai_feedback"]?.intValue)
        #expect(run.status == .succeeded && used > 16 && used == run.dataSnapshot?["used"]?.intValue)

        dpo.sourceWeights = ["ai_feedback": 0]
        let none = try TrainingJob.start(settings: dpo, runID: nil, reader: corpus.reader, database: corpus.path, baseModelPath: base)
        #expect(throws: (any Error).self) { try none.execute() }
    }

    /// Exchanges logged with the teacher's log-probabilities train with the KL term on their
    /// answers; the run says how many examples and positions were distilled.
    @Test func anSFTRunDistilsTheCapturedLogprobs() throws {
        let corpus = try TrainingCorpus()
        for index in 0..<16 {
            let answer = #"{"city":"Town\#(index)"}"#
            let tokens = answer.map { character in
                TokenLogprobs.Token(bytes: Array(String(character).utf8), logprob: -0.1,
                                    top: [.init(bytes: Array(String(character).utf8), logprob: -0.1), .init(bytes: [0x23], logprob: -2.5)])
            }
            corpus.add(prompt: "Extract the city: I live in Town\(index).", answer: answer, logprobs: TokenLogprobs(tokens: tokens))
        }
        corpus.add(prompt: "Extract the city: I live in Nowhere.", answer: #"{"city":"Nowhere"}"#)
        let base = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let job = try TrainingJob.start(settings: settings(), runID: nil, reader: corpus.reader, database: corpus.path,
                                        baseModelPath: base)
        _ = try job.execute()
        let run = try #require(try TrainingStore(reader: corpus.reader).run(id: job.runID))
        let distilled = try #require(run.dataSnapshot?["logprob_distillation"])
        let used = try #require(run.dataSnapshot?["used"]?.intValue)
        let examples = try #require(distilled["examples"]?.intValue), positions = try #require(distilled["positions"]?.intValue)
        #expect(run.status == .succeeded && examples >= used - 1 && examples <= used && examples > 10)
        // Every answer byte is a position (the tiny model's tokens are bytes); the end token is not.
        #expect(positions == (distilled["answer_tokens"]?.intValue ?? 0) - examples)

        var textOnly = settings()
        textOnly.kdWeight = 0
        let plain = try TrainingJob.start(settings: textOnly, runID: nil, reader: corpus.reader, database: corpus.path,
                                          baseModelPath: base)
        _ = try plain.execute()
        let plainRun = try #require(try TrainingStore(reader: corpus.reader).run(id: plain.runID))
        #expect(plainRun.dataSnapshot?["logprob_distillation"]?["examples"]?.intValue == 0)
    }

    /// `kd`: a student of one block distilled from the two-block tiny model is registered
    /// and loads with one block.
    @Test func aKDRunRegistersACompressedStudent() throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 16)
        let teacher = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: teacher) }
        var kd = settings()
        (kd.kind, kd.teacher, kd.layers) = (.kd, teacher, 1)
        let job = try TrainingJob.start(settings: kd, runID: nil, reader: corpus.reader, database: corpus.path, baseModelPath: teacher)
        let version = try job.execute()
        let run = try #require(try TrainingStore(reader: corpus.reader).run(id: job.runID))
        #expect(run.status == .succeeded && run.kind == "kd")
        let losses = try TrainingStore(reader: corpus.reader).metrics(runID: job.runID).compactMap { $0.values["loss"]?.doubleValue }
        #expect(losses.count == 3 && losses.allSatisfy { $0 > 0 && $0.isFinite })
        let gguf = try #require(version.path(of: "gguf"))
        #expect(try LlamaConfig(file: GGUFFile(path: gguf)).layers == 1)
        var student = StudentSettings()
        student.model = gguf
        #expect(StudentBackend(settings: student).loadError == nil)

        kd.layers = 2  // not a compression of a two-block teacher
        let same = try TrainingJob.start(settings: kd, runID: nil, reader: corpus.reader, database: corpus.path, baseModelPath: teacher)
        #expect(throws: (any Error).self) { try same.execute() }
        kd.teacher = "s-9999"
        #expect(throws: (any Error).self) {
            try TrainingJob.start(settings: kd, runID: nil, reader: corpus.reader, database: corpus.path, baseModelPath: teacher).execute()
        }
    }

    @Test func anSFTRunWithoutEpochsValidatesEachEpochAndReportsTheOneItKept() throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 60)
        let base = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: base) }
        var settings = settings()
        (settings.maxSteps, settings.maxEpochs, settings.validationPercent) = (nil, 2, 20)
        let job = try TrainingJob.start(settings: settings, runID: nil, reader: corpus.reader, database: corpus.path,
                                        baseModelPath: base)
        let version = try job.execute()
        let store = TrainingStore(reader: corpus.reader)
        let run = try #require(try store.run(id: job.runID))
        let held = try #require(run.dataSnapshot?["validation_examples"]?.intValue)
        #expect(held >= 4 && held < (run.dataSnapshot?["used"]?.intValue ?? 0))
        let losses = try store.metrics(runID: job.runID).compactMap { $0.values["validation_loss"]?.doubleValue }
        #expect((1...2).contains(losses.count))
        let metrics = try #require(version.metrics)
        #expect(metrics["validation_losses"]?.arrayValue?.compactMap(\.doubleValue) == losses)
        let chosen = try #require(metrics["chosen_epoch"]?.intValue)
        #expect(losses[chosen - 1] == losses.min() && metrics["epochs_trained"]?.intValue == losses.count)
    }

    @Test func aNewVersionIsScoredOnEachRouteAtOnceAndAFailureIsRecordedWithItsReasons() async throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 40)
        let base = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let version = try TrainingJob.start(settings: settings(), runID: nil, reader: corpus.reader, database: corpus.path,
                                            baseModelPath: base).execute()
        let store = ServingStore(reader: corpus.reader)
        let evaluation = StudentEvaluation(store: store, thresholds: QualityGateThresholds(), defaultMaxTokens: 8)
        let metrics = RecordingMetrics()
        let reports = await evaluation.runAfterTraining(version: version.version, modelPath: try #require(version.path(of: "gguf")),
                                                        routes: ["default", "other"], threads: 1,
                                                        errors: OperatorErrors(metrics: metrics))
        #expect(reports.map(\.route) == ["default", "other"])
        let stored = try store.evalResults(version: nil, route: "default", limit: 5)
        #expect(stored.map(\.version) == ["s-0001"] && stored.first?.passed == false)
        #expect(reports.first?.gate.failures.isEmpty == false)  // the tiny model's answers are noise
    }

    @Test func aFailedRunLeavesTheServedVersionUntouched() throws {
        let corpus = try TrainingCorpus()
        corpus.addTask(count: 16)
        let base = try TinyModel.write()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let first = try TrainingJob.start(settings: settings(), runID: nil, reader: corpus.reader, database: corpus.path,
                                          baseModelPath: base).execute()
        let book = ServingStateBook(store: ServingStore(reader: corpus.reader), routes: [RouteConfiguration(name: "default")])
        try book.set(route: "default", mode: .student, student: first.version)

        let failing = try TrainingJob.start(settings: settings(from: "s-0404"), runID: nil, reader: corpus.reader,
                                            database: corpus.path, baseModelPath: base)
        #expect(throws: (any Error).self) { try failing.execute() }
        let store = TrainingStore(reader: corpus.reader)
        let run = try #require(try store.run(id: failing.runID))
        #expect(run.status == .failed && run.error?.contains("s-0404") == true)
        #expect(try store.students().map(\.version) == ["s-0001"])
        let state = try #require(try book.states()["default"])
        #expect(state.mode == .student && state.student == "s-0001")
    }

    @Test func unusableStoredSettingsFailTheRunBeforeItStarts() throws {
        let corpus = try TrainingCorpus()
        let store = TrainingStore(reader: corpus.reader)
        let run = try store.createRun(kind: "sft", config: .object([("kind", .string("sft")), ("rank", .int(0))]))
        #expect(throws: DistillError.self) {
            try TrainingJob.start(settings: settings(), runID: run.id, reader: corpus.reader, database: corpus.path,
                                  baseModelPath: "/nonexistent.gguf")
        }
        #expect(try store.run(id: run.id)?.status == .failed)
    }
}
