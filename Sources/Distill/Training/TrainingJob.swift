import ChatAPI
import Corpus
import Engine
import Foundation
import Training

/// One training run from start (or resume) to a registered student version: snapshot
/// the data, train with periodic checkpoints, export, register. Any failure marks the run
/// failed and leaves every existing version, and so the served student, untouched.
public final class TrainingJob {
    /// Runs, metrics and versions.
    let store: TrainingStore
    /// The corpus.
    let reader: SQLiteCorpus
    /// The run's settings, from its row.
    public let settings: TrainingSettings
    /// The run's files.
    let workspace: RunWorkspace
    /// The configured base model (used unless the settings name a version to start from).
    let baseModelPath: String
    /// The run's row as loaded.
    private(set) var run: TrainingRun

    /// A job for `run` over the corpus at `database`; throws for unusable settings.
    public init(reader: SQLiteCorpus, database: String, run: TrainingRun, baseModelPath: String) throws {
        self.reader = reader
        store = TrainingStore(reader: reader)
        settings = try TrainingSettings.from(json: run.config)
        workspace = RunWorkspace(database: database, runID: run.id)
        self.baseModelPath = baseModelPath
        self.run = run
    }

    /// The run's id.
    public var runID: String { run.id }

    /// Trains and publishes; on any error the run is marked failed and the error rethrown.
    public func execute() throws -> StudentVersion {
        Self.lowerPriority()
        do {
            let version = try trainAndPublish()
            workspace.remove()
            return version
        } catch {
            try? store.failRun(id: run.id, error: "\(error)")
            throw error
        }
    }

    /// Runs training at nice 10, so a gateway on the same machine keeps its CPU share.
    /// Linux keeps a nice value per thread, and the BLAS and Dispatch workers exist before
    /// this is called, so every thread of the process is lowered (called again as the run
    /// goes, for workers started since).
    static func lowerPriority() {
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for thread in threads.compactMap({ id_t($0) }) where getpriority(which, thread) < 10 {
            _ = setpriority(which, thread, 10)
        }
        _ = setpriority(which, 0, 10)
    }

    private func trainAndPublish() throws -> StudentVersion {
        let base = try loadBase()
        let encoder = try SequenceEncoder(tokenizer: try BPETokenizer(metadata: base.file.metadata),
                                          template: try ChatTemplate(template: base.file.metadata["tokenizer.chat_template"]?.stringValue),
                                          maxLength: settings.maxSeq)
        try workspace.create()
        var dataset = try loadOrBuildDataset(encoder: encoder)
        try store.startRun(id: run.id, pid: Int(getpid()), dataSnapshot: (try? JSONValue.parse(dataset.snapshot)) ?? .null)
        let lora = settings.trainsAdapters ? LoRAConfiguration(rank: settings.rank, alpha: settings.alpha, seed: settings.seed) : nil
        let (model, teacher) = try makeModels(base: base, lora: lora)
        let plan = try BatchPlan(lengths: dataset.lengths, batchTokens: settings.batchTokens, seed: settings.seed)
        let total = min(settings.maxSteps ?? .max, plan.steps(epochs: settings.plannedEpochs))
        let warmup = settings.warmupSteps ?? min(10, total / 10)
        let schedule = try LearningRateSchedule(peak: settings.peakLearningRate, warmupSteps: min(warmup, total - 1),
                                                totalSteps: total)
        let objective: RunObjective
        var validation: EpochValidation?
        if settings.kind == .dpo {
            let trainer = try DPOTrainer(model: model, schedule: schedule, settings: DPOSettings(beta: settings.beta))
            try cacheReferences(&dataset, trainer: trainer)
            objective = DPOObjective(trainer: trainer, dataset: dataset)
        } else {
            model.distillationWeights = SparseDistillation.Weights(crossEntropy: 1 - settings.kdWeight,
                                                                   divergence: settings.kdWeight)
            let trainer = try Trainer(model: model, schedule: schedule, teacher: teacher)
            if let slice = dataset.validation {
                validation = try EpochValidation(sequences: slice.map(\.training), trainer: trainer, workspace: workspace)
            }
            objective = SFTObjective(trainer: trainer, dataset: dataset)
        }
        var summary = try trainLoop(objective, model: model, plan: plan, total: total, validation: validation)
        if let validation {
            try validation.restoreBest()
            summary.validation = validation.json
        }
        let sample = (dataset.sequences.isEmpty ? dataset.pairs.map(\.chosen) : dataset.sequences).prefix(8)
            .map { TrainingSequence(tokens: $0.tokens, targets: $0.targets) }
        return try publish(model: model, base: base, lora: lora, metrics: summary.merging(dataset: dataset), sample: sample)
    }

    /// The model to train and, for KD, the local teacher it learns from (its blocks taken
    /// evenly from the teacher's).
    private func makeModels(base: (file: GGUFFile, merged: String?, parent: String?),
                            lora: LoRAConfiguration?) throws -> (model: TrainableLlama, teacher: TrainableLlama?) {
        guard settings.kind == .kd else {
            let model = try TrainableLlama(file: base.file, maxRows: settings.maxSeq, lora: lora)
            if let merged = base.merged { try ModelImport.load(model, fromSafetensors: merged) }
            return (model, nil)
        }
        let teacher = try TrainableLlama(file: base.file, maxRows: settings.maxSeq)
        if let merged = base.merged { try ModelImport.load(teacher, fromSafetensors: merged) }
        let layers = settings.layers ?? 0
        guard layers < teacher.config.layers else {
            throw TrainingRunError("kd needs fewer layers than the teacher's \(teacher.config.layers), got \(layers)")
        }
        let kept = TrainableLlama.evenlySpacedLayers(layers, of: teacher.config.layers)
        return (try TrainableLlama(keeping: kept, of: teacher, maxRows: settings.maxSeq), teacher)
    }

    /// The GGUF to start from (and its merged f32 weights when starting from a version); for
    /// KD, the teacher's GGUF (a student version's or a path).
    private func loadBase() throws -> (file: GGUFFile, merged: String?, parent: String?) {
        if settings.kind == .kd, let teacher = settings.teacher {
            if let version = try store.student(version: teacher), let gguf = version.path(of: "gguf") {
                // Its exact weights: a student copied from the GGUF's would sit on the q8_0 grid,
                // and an export would round small trained changes back onto it.
                return (try GGUFFile(path: gguf), version.path(of: "merged"), nil)
            }
            guard FileManager.default.fileExists(atPath: teacher) else {
                throw TrainingRunError("no teacher \(teacher): neither a student version nor a GGUF file")
            }
            return (try GGUFFile(path: teacher), nil, nil)
        }
        guard let from = settings.from else { return (try GGUFFile(path: baseModelPath), nil, nil) }
        guard let version = try store.student(version: from), let gguf = version.path(of: "gguf") else {
            throw TrainingRunError("no student version \(from) to train from")
        }
        return (try GGUFFile(path: gguf), version.path(of: "merged"), from)
    }

    /// The run's frozen dataset: read back when resuming, else built from the corpus now.
    private func loadOrBuildDataset(encoder: SequenceEncoder) throws -> FrozenDataset {
        if FileManager.default.fileExists(atPath: workspace.dataset) { return try FrozenDataset.read(workspace.dataset) }
        let dataset = try FrozenDataset.build(settings: settings, reader: reader, encoder: encoder)
        guard !dataset.lengths.isEmpty else {
            let snapshot = try? JSONValue.parse(dataset.snapshot)
            let available = snapshot?["available"]?.intValue ?? 0, skipped = snapshot?["skipped"]?.jsonString ?? "{}"
            throw TrainingRunError("no \(settings.kind == .dpo ? "preference pairs" : "curated exchanges") in the train split "
                + "to learn from (\(available) available, skipped: \(skipped); max_seq is \(settings.maxSeq))")
        }
        try dataset.write(to: workspace.dataset)
        return dataset
    }

    /// Computes every pair's reference log-probs once, before the first step, and keeps
    /// them in the frozen dataset so a resumed run reuses them (facts/engine.md §5.4).
    private func cacheReferences(_ dataset: inout FrozenDataset, trainer: DPOTrainer) throws {
        guard dataset.pairs.contains(where: { $0.reference == nil }) else { return }
        for index in dataset.pairs.indices where dataset.pairs[index].reference == nil {
            dataset.pairs[index].reference = try trainer.referenceLogProbs(for: dataset.pairs[index].preference)
        }
        try dataset.write(to: workspace.dataset)
    }
}
