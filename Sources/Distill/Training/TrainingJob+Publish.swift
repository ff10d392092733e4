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
    func publish(model: TrainableLlama, base: (file: GGUFFile, merged: String?, parent: String?),
                 lora: LoRAConfiguration?, metrics summary: RunSummary) throws -> StudentVersion {
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
