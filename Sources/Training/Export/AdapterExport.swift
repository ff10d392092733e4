import Engine
import Foundation

/// Writes LoRA adapters as PEFT saves them: `adapter_model.safetensors` with tensors
/// `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` (r, K) and `lora_B`
/// (N, r), and `adapter_config.json`, so `PeftModel.from_pretrained` loads them onto the
/// Hugging Face base model.
public enum AdapterExport {
    /// Writes every adapter tensor of `adapters` (for a model of `config`) to `path`,
    /// atomically. `lora_B` rows of `q_proj`/`k_proj` are put in Hugging Face order (their
    /// A matrices read the input, which both layouts share).
    public static func writeSafetensors(_ adapters: LoRAAdapters, config: LlamaConfig, to path: String) throws {
        let parameters = UnsafePointer(adapters.parameters)
        let tensors = adapters.entries.map { entry in
            Safetensors.Tensor(name: entry.name, shape: entry.shape) {
                let values = Array(UnsafeBufferPointer(start: parameters + entry.offset, count: entry.count))
                guard entry.name.contains("lora_B"), let heads = HFLayout.permutedHeads(entry.name, config: config) else {
                    return values
                }
                return HFLayout.ggufToHF(values, heads: heads, headDim: config.headDim, columns: entry.shape[1])
            }
        }
        try withExtendedLifetime(adapters) { try Safetensors.write(tensors, to: path) }
    }

    /// The `adapter_config.json` PEFT expects for `configuration` on `baseModel`.
    public static func configJSON(_ configuration: LoRAConfiguration, baseModel: String) throws -> [UInt8] {
        let object: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": baseModel,
            "r": configuration.rank, "lora_alpha": Double(configuration.alpha), "lora_dropout": 0.0,
            "target_modules": configuration.targets.map(\.rawValue), "bias": "none", "fan_in_fan_out": false,
            "inference_mode": true, "init_lora_weights": true, "use_rslora": false,
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]))
    }
}
