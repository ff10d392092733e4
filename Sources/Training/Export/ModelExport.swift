import Engine
import Foundation

/// Writes a trained model's weights for others to load: Hugging Face safetensors (merged
/// f32 weights) and GGUF for the engine and llama.cpp.
public enum ModelExport {
    /// How GGUF matrices are stored (norms are always f32).
    public enum GGUFType: String, Sendable, CaseIterable {
        /// Exact f32 (4 bytes a weight).
        case f32
        /// Q8_0 blocks (≈1.06 bytes a weight; what the engine decodes with anyway).
        case q8_0

        var ggmlType: GGMLType { self == .f32 ? .f32 : .q8_0 }
        /// `general.file_type` (llama.cpp `LLAMA_FTYPE_ALL_F32` = 0, `MOSTLY_Q8_0` = 7).
        var fileType: UInt32 { self == .f32 ? 0 : 7 }
    }

    /// The values of layout entry `entry` of `parameters`, in Hugging Face layout.
    static func hfValues(_ entry: ParameterLayout.Entry, parameters: UnsafePointer<Float>, config: LlamaConfig) -> [Float] {
        let values = Array(UnsafeBufferPointer(start: parameters + entry.offset, count: entry.count))
        guard let heads = HFLayout.permutedHeads(entry.name, config: config) else { return values }
        return HFLayout.ggufToHF(values, heads: heads, headDim: config.headDim, columns: entry.shape[1])
    }

    /// Writes every parameter of `model` as F32 safetensors with Hugging Face names and
    /// layout (`q_proj`/`k_proj` rows un-permuted), atomically.
    public static func writeSafetensors(_ model: TrainableLlama, to path: String, metadata: [String: String] = [:]) throws {
        let parameters = UnsafePointer(model.parameters), config = model.config
        let tensors = model.layout.entries.map { entry in
            Safetensors.Tensor(name: entry.name, shape: entry.shape[0] == 1 ? [entry.shape[1]] : entry.shape) {
                hfValues(entry, parameters: parameters, config: config)
            }
        }
        try withExtendedLifetime(model) { try Safetensors.write(tensors, metadata: metadata, to: path) }
    }

    /// Writes `model` as a GGUF file that `StudentModel` and llama.cpp load: the metadata
    /// (architecture, sizes, tokenizer, chat template) copied from `base`, the tensors from
    /// the model under their GGUF names, matrices as `type`, norms f32. Atomic.
    /// - Parameter name: `general.name` to store (default: the base's)
    public static func writeGGUF(_ model: TrainableLlama, base: GGUFFile, type: GGUFType = .q8_0,
                                 name: String? = nil, to path: String) throws {
        var writer = GGUFWriter()
        if let alignment = base.metadata["general.alignment"]?.intValue { writer.alignment = alignment }
        for key in base.metadata.keys.sorted() where key != "general.alignment" {
            if let value = base.metadata[key] { writer.set(key, value) }
        }
        writer.set("general.file_type", .uint32(type.fileType))
        // A compressed model keeps fewer blocks than its base.
        let architecture = base.metadata["general.architecture"]?.stringValue ?? "llama"
        writer.set("\(architecture).block_count", .uint32(UInt32(model.config.layers)))
        if let name { writer.set("general.name", .string(name)) }
        for entry in model.layout.entries {
            guard let ggufName = TrainableLlama.ggufName(of: entry.name) else {
                throw TrainingError.invalidFile(path: path, reason: "no GGUF name for \(entry.name)")
            }
            let values = Array(UnsafeBufferPointer(start: model.parameters + entry.offset, count: entry.count))
            let isMatrix = entry.shape[0] > 1
            // GGUF shapes list the contiguous dimension first: (rows, columns) → ne [columns, rows].
            writer.addTensor(ggufName, shape: isMatrix ? [entry.shape[1], entry.shape[0]] : [entry.shape[1]],
                             values: values, as: isMatrix ? type.ggmlType : .f32)
        }
        do { try writer.write(to: path) } catch { throw TrainingError.invalidFile(path: path, reason: "\(error)") }
    }
}
