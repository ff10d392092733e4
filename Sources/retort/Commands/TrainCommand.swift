import ArgumentParser
import Corpus
import Distill
import Foundation
import Gateway

/// `retort train ...`: distil the logged corpus into a new student version.
struct TrainCommand: ParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a student version on the corpus (SFT on teacher answers, DPO on preferences).",
        subcommands: [TrainSFTCommand.self, TrainDPOCommand.self, TrainKDCommand.self, TrainResumeCommand.self, TrainStatusCommand.self]
    )
}

/// `--config` and `--db`, shared by the training commands.
struct TrainingCorpusOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .long, help: "Corpus file (SQLite). Defaults to the configured database (RETORT_DB).")
    var db: String?

    /// The corpus path, its connection (migrated to this build's schema) and the configuration.
    func open() throws -> (database: String, reader: SQLiteCorpus, configuration: GatewayConfiguration) {
        let configuration = try config.load()
        let path = try CorpusDatabase.path(db, configured: configuration.database)
        return (path, try CorpusDatabase.reader(path), configuration)
    }
}

/// The hyper-parameters of `train sft` and `train dpo`.
struct TrainingHyperparameters: ParsableArguments {
    @Flag(name: .long, help: "Full fine-tuning of every weight (default: LoRA).") var full = false
    @Flag(name: .long, help: "LoRA adapters on the frozen model (the default).") var lora = false
    @Option(help: "LoRA rank.") var rank = 16
    @Option(help: "LoRA alpha (the adapter output is scaled by alpha / rank).") var alpha: Float = 32
    @Option(help: "Passes over the data (default: SFT chooses by validation loss, up to --max-epochs; DPO makes 2).")
    var epochs: Int?
    @Option(name: .customLong("max-epochs"), help: "The most passes an SFT run without --epochs makes.") var maxEpochs = 6
    @Option(name: .customLong("max-steps"), help: "Stop after this many optimizer steps.") var maxSteps: Int?
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate (default by kind and mode).") var learningRate: Float?
    @Option(name: .customLong("max-seq"), help: "Longest sequence in tokens; longer examples are skipped.") var maxSeq = 512
    @Option(name: .customLong("batch-tokens"), help: "Tokens per optimizer step.") var batchTokens = 2048
    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.") var checkpointEvery = 25
    @Option(name: .customLong("from"), help: "Start from this student version instead of the base model.") var from: String?
    @Option(name: .customLong("gguf-type"), help: "q8_0 or f32 for the exported GGUF.") var ggufType = "q8_0"
    @Option(help: "Seed of the data order and the adapters' initial values.") var seed: UInt64 = 0
    @Option(name: .customLong("run-id"), help: .hidden) var runID: String?

    func validate() throws {
        if full && lora { throw ValidationError("Pass --full or --lora, not both.") }
    }

    /// The settings of a `kind` run, checked as the admin API checks them.
    func settings(kind: TrainingSettings.Kind, beta: Float = 0.1, validated: Bool = true) throws -> TrainingSettings {
        var s = TrainingSettings(kind: kind)
        (s.lora, s.rank, s.alpha, s.epochs, s.maxEpochs, s.maxSteps) = (!full, rank, alpha, epochs, maxEpochs, maxSteps)
        (s.learningRate, s.maxSeq, s.batchTokens, s.checkpointEvery) = (learningRate, maxSeq, batchTokens, checkpointEvery)
        (s.from, s.ggufType, s.seed, s.beta) = (from, ggufType, seed, beta)
        if validated {
            do { try s.validate() } catch { throw ValidationError("\(error)") }
        }
        return s
    }
}

/// Runs `job` and reports the outcome on the command line; with `serving.evaluate_after_training`
/// the new version is then scored on each teacher route's held-out rows, so the promotion
/// loop of a running gateway finds its gate result without a command typed.
func execute(_ job: () throws -> TrainingJob, reader: SQLiteCorpus, configuration: GatewayConfiguration) async throws {
    let prepared: TrainingJob
    do { prepared = try job() } catch { throw CommandFailure(description: "\(error)") }
    printLine("run \(prepared.runID) (\(prepared.settings.kind.rawValue))")
    let version: StudentVersion
    do {
        version = try prepared.execute()
        printLine("student \(version.version): \(version.path(of: "gguf") ?? version.directory)")
    } catch {
        throw CommandFailure(description: "run \(prepared.runID) failed: \(error)")
    }
    guard configuration.serving.evaluateAfterTraining, let gguf = version.path(of: "gguf") else { return }
    let routes = configuration.routes.filter { $0.backend == .teacher }.map(\.name)
    let evaluation = try configuration.studentEvaluation(store: ServingStore(reader: reader))
    let reports = await evaluation.runAfterTraining(version: version.version, modelPath: gguf, routes: routes,
                                                    threads: configuration.student.threads,
                                                    errors: OperatorErrors(metrics: DiscardedMetrics()))
    for report in reports {
        let verdict = report.passed ? "passed" : "failed: " + report.failureCodes.joined(separator: ", ")
        printLine("gate on route \(report.route ?? "-"): \(report.metrics.sampleCount) held-out rows, \(verdict)")
    }
}

/// `retort train sft`: supervised fine-tuning on the curated train split.
struct TrainSFTCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "sft", abstract: "Fine-tune on the teacher's answers.")

    @OptionGroup var corpus: TrainingCorpusOptions
    @OptionGroup var hyper: TrainingHyperparameters
    @Option(name: .customLong("kd-weight"),
            help: "λ of the KL to the teacher's captured log-probabilities where an answer has them (loss (1−λ)·CE + λ·KL); 0: text only.")
    var kdWeight: Float = 0.5

    func run() async throws {
        let (database, reader, configuration) = try corpus.open()
        var settings = try hyper.settings(kind: .sft)
        settings.kdWeight = kdWeight
        do { try settings.validate() } catch { throw ValidationError("\(error)") }
        try await execute({ try TrainingJob.start(settings: settings, runID: hyper.runID, reader: reader, database: database,
                                                  baseModelPath: configuration.student.model) },
                          reader: reader, configuration: configuration)
    }
}

/// `retort train dpo`: preference optimisation on the logged pairs.
struct TrainDPOCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "dpo", abstract: "Optimise on logged preference pairs (DPO).")

    @OptionGroup var corpus: TrainingCorpusOptions
    @OptionGroup var hyper: TrainingHyperparameters
    @Option(help: "DPO beta.") var beta: Float = 0.1
    @Option(name: .customLong("source-weight"),
            help: "SOURCE=WEIGHT: how much pairs of one provenance count (rating, pairwise, choices, demonstration, ai_feedback; default 1 each, 0 leaves them out). Repeatable.")
    var sourceWeights: [String] = []

    func run() async throws {
        let (database, reader, configuration) = try corpus.open()
        var settings = try hyper.settings(kind: .dpo, beta: beta)
        for entry in sourceWeights {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let weight = Float(parts[1]), weight >= 0, weight.isFinite else {
                throw ValidationError("--source-weight takes SOURCE=WEIGHT with a weight ≥ 0, got \(entry)")
            }
            settings.sourceWeights[parts[0]] = weight
        }
        try await execute({ try TrainingJob.start(settings: settings, runID: hyper.runID, reader: reader, database: database,
                                                  baseModelPath: configuration.student.model) },
                          reader: reader, configuration: configuration)
    }
}

/// `retort train kd --teacher FILE --layers L`: a compressed student distilled from a local teacher.
struct TrainKDCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(
        commandName: "kd",
        abstract: "Distil a local teacher's full distribution into a student made of L of its blocks.",
        discussion: """
            The student starts from the teacher's embedding, final norm and L of its blocks (spread evenly, \
            first and last kept), trains every weight on the logged prompts and answers with \
            (1 − λ)·CE + λ·KL(teacher ‖ student) over the whole vocabulary, and is registered as a version \
            like any other (its GGUF has L blocks).
            """)

    @OptionGroup var corpus: TrainingCorpusOptions
    @OptionGroup var hyper: TrainingHyperparameters
    @Option(help: "The teacher: a Llama-family GGUF file or a student version (s-0003).") var teacher: String?
    @Option(help: "Blocks of the compressed student.") var layers: Int?
    @Option(name: .customLong("kd-weight"), help: "λ of the KL to the teacher (loss (1−λ)·CE + λ·KL).") var kdWeight: Float = 0.5

    func run() async throws {
        let (database, reader, configuration) = try corpus.open()
        var settings = try hyper.settings(kind: .kd, validated: false)
        (settings.teacher, settings.layers, settings.kdWeight) = (teacher, layers, kdWeight)
        if hyper.runID == nil {
            do { try settings.validate() } catch { throw ValidationError("\(error)") }
        }
        try await execute({ try TrainingJob.start(settings: settings, runID: hyper.runID, reader: reader, database: database,
                                                  baseModelPath: configuration.student.model) },
                          reader: reader, configuration: configuration)
    }
}

/// `retort train resume RUN`: continue an interrupted run from its last checkpoint.
struct TrainResumeCommand: AsyncParsableCommand {
    /// The command's name and help.
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume an interrupted run from its checkpoint.")

    @Argument(help: "The run id.") var runID: String
    @OptionGroup var corpus: TrainingCorpusOptions

    func run() async throws {
        let (database, reader, configuration) = try corpus.open()
        try await execute({ try TrainingJob.resume(runID: runID, reader: reader, database: database,
                                                   baseModelPath: configuration.student.model) },
                          reader: reader, configuration: configuration)
    }
}
