import ChatAPI
import Corpus
import Engine
import Foundation
import Training

extension TrainingJob {
    /// Writes the version's files into a fresh, immutable `students/<version>/` directory
    /// (adapters first, then the merged weights and the GGUF the gateway serves), registers
    /// the version and marks the run succeeded. Retries with the next name if another run
    /// took this one meanwhile.
    /// `sample` (a few training sequences) checks the export: see ``exportCheck(model:gguf:sample:)``.
    func publish(model: TrainableLlama, base: (file: GGUFFile, merged: String?, parent: String?),
                 lora: LoRAConfiguration?, metrics: RunSummary, sample: [TrainingSequence] = []) throws -> StudentVersion {
        var summary = metrics
        if let adapters = model.adapters, let lora {
            // Written before merging: the merge folds the adapters into the base and zeroes B.
            try AdapterExport.writeSafetensors(adapters, config: model.config, to: workspace.runDirectory + "/adapter_model.safetensors")
            try AtomicFile.write(workspace.runDirectory + "/adapter_config.json",
                                 bytes: try AdapterExport.configJSON(lora, baseModel: base.parent ?? baseModelName(base.file)))
            model.mergeAdapters()
        }
        for attempt in 0..<3 {
            let version = try store.nextVersionName()
            do {
                let made = try VersionDirectory.create(root: workspace.studentsRoot, version: version) { directory in
                    try writeFiles(model: model, base: base.file, version: version, into: directory)
                }
                summary.exportCheck = made.files["gguf"].flatMap {
                    try? exportCheck(model: model, gguf: made.directory + "/" + $0, sample: sample)
                }
                let student = StudentVersion(version: version, runID: run.id, parent: base.parent,
                                             createdAt: Date().timeIntervalSince1970, directory: made.directory,
                                             files: made.files, metrics: summary.json)
                try store.register(student)
                try store.finishRun(id: run.id, metrics: summary.json.setting("version", to: .string(version)))
                return student
            } catch TrainingError.invalidFile(_, let reason) where reason.contains("already exists") && attempt < 2 {
                continue
            }
        }
        throw TrainingRunError("could not claim a version name")
    }

    /// The mean token loss of the trained weights and of the exported GGUF (quantized as
    /// it is stored) on `sample`: the export must keep what training learned. Quantizing
    /// rounds each weight to its block's grid, and changes smaller than half a step round
    /// back, so a student trained from weights already on that grid can lose its training
    /// in the export; a gap shows it.
    func exportCheck(model: TrainableLlama, gguf: String, sample: [TrainingSequence]) throws -> JSONValue? {
        guard !sample.isEmpty else { return nil }
        let exported = try TrainableLlama(file: try GGUFFile(path: gguf), maxRows: model.activations.rows)
        func loss(_ m: TrainableLlama) -> Double {
            let tokens = sample.reduce(0) { $0 + CrossEntropy.maskedInCount($1.targets) }
            return sample.reduce(0.0) { $0 + Double(m.forward(tokens: $1.tokens, targets: $1.targets, normalizer: Float(max(tokens, 1)))) }
        }
        let enabled = model.adaptersEnabled
        model.adaptersEnabled = false  // merged: the adapters' share is in the base weights now
        defer { model.adaptersEnabled = enabled }
        return .object([("trained_loss", .double(loss(model))), ("gguf_loss", .double(loss(exported))),
                        ("sequences", .int(sample.count))])
    }

    private func writeFiles(model: TrainableLlama, base: GGUFFile, version: String, into directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        let manager = FileManager.default
        for name in ["adapter_model.safetensors", "adapter_config.json"]
        where manager.fileExists(atPath: workspace.runDirectory + "/" + name) {
            try manager.copyItem(atPath: workspace.runDirectory + "/" + name, toPath: directory + "/" + name)
            files[name == "adapter_config.json" ? "adapter_config" : "adapter"] = name
        }
        try ModelExport.writeSafetensors(model, to: directory + "/model.safetensors",
                                         metadata: ["retort_version": version, "retort_run": run.id])
        files["merged"] = "model.safetensors"
        let type = ModelExport.GGUFType(rawValue: settings.ggufType) ?? .q8_0
        try ModelExport.writeGGUF(model, base: base, type: type, name: "retort-\(version)", to: directory + "/model.gguf")
        files["gguf"] = "model.gguf"
        return files
    }

    private func baseModelName(_ file: GGUFFile) -> String {
        file.metadata["general.name"]?.stringValue ?? (file.path as NSString).lastPathComponent
    }
}
