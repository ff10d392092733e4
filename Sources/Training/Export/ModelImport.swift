import Engine
import Foundation

/// Fills a `TrainableLlama`'s parameters from merged Hugging Face safetensors written by
/// ``ModelExport`` (GGUF files load through `TrainableLlama(file:maxRows:lora:)`).
public enum ModelImport {
    /// Copies merged safetensors (Hugging Face names and layout) into `model`, permuting
    /// `q_proj`/`k_proj` rows back to the GGUF layout.
    public static func load(_ model: TrainableLlama, fromSafetensors path: String) throws {
        let file = try Safetensors.read(path)
        for entry in model.layout.entries {
            guard let tensor = file.tensors[entry.name], tensor.values.count == entry.count else {
                throw TrainingError.invalidFile(path: path, reason: "tensor \(entry.name) is missing or has another size")
            }
            var values = tensor.values
            if let heads = HFLayout.permutedHeads(entry.name, config: model.config) {
                values = HFLayout.hfToGGUF(values, heads: heads, headDim: model.config.headDim, columns: entry.shape[1])
            }
            let target = model.parameters + entry.offset
            for (index, value) in values.enumerated() { target[index] = value }
        }
    }
}
