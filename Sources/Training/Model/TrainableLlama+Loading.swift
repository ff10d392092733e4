import Engine

extension TrainableLlama {
    /// A model with the pretrained weights of a GGUF `llama` file, every tensor
    /// dequantized (Q4_0/Q4_1/Q5_0/Q8_0/Q4_K/Q6_K/F16/BF16/F32) into the f32 arena.
    /// - Parameters:
    ///   - file: the GGUF file; its LM head must be tied to the token embedding
    ///   - maxRows: the longest sequence to train on
    ///   - lora: adapters to train on the frozen weights; `nil` for full fine-tuning
    /// - Warning: q and k rows stay in GGUF order (llama.cpp's `permute` for the
    ///   interleaved RoPE that `Engine` and this model apply). Exports to Hugging Face
    ///   layouts must undo that permutation for `q_proj`/`k_proj` (and their LoRA B).
    public convenience init(file: GGUFFile, maxRows: Int, lora: LoRAConfiguration? = nil) throws {
        let config = try LlamaConfig(file: file)
        try self.init(config: config, maxRows: maxRows, lora: lora)
        try loadWeights(from: file)
    }

    /// A smaller model made of some of `teacher`'s blocks (the survey's compression role):
    /// block i is a copy of the teacher's block `keeping[i]`; the embedding and final norm
    /// are the teacher's. Copied from the teacher in memory, so a teacher loaded with exact
    /// f32 weights gives a student that is not on its file's quantization grid.
    /// - Throws: when `keeping` is empty, out of range or not increasing.
    public convenience init(keeping layers: [Int], of teacher: TrainableLlama, maxRows: Int) throws {
        var config = teacher.config
        guard !layers.isEmpty, zip(layers, layers.dropFirst()).allSatisfy({ $0 < $1 }),
              layers.allSatisfy({ (0..<config.layers).contains($0) }) else {
            throw TrainingError.invalidConfiguration("layers to keep must increase within 0..<\(config.layers), got \(layers)")
        }
        config.layers = layers.count
        try self.init(config: config, maxRows: maxRows, lora: nil)
        let source = Dictionary(uniqueKeysWithValues: teacher.layout.entries.map { ($0.name, $0) })
        for entry in layout.entries {
            var parts = entry.name.split(separator: ".").map(String.init)
            if parts.count > 2, parts[1] == "layers", let index = Int(parts[2]) { parts[2] = String(layers[index]) }
            guard let from = source[parts.joined(separator: ".")], from.count == entry.count else {
                throw TrainingError.invalidConfiguration("no teacher tensor for \(entry.name)")
            }
            (parameters + entry.offset).update(from: teacher.parameters + from.offset, count: entry.count)
        }
    }

    /// `count` block indices of an `of`-block model spread evenly from the first to the last.
    public static func evenlySpacedLayers(_ count: Int, of total: Int) -> [Int] {
        guard count > 1 else { return count == 1 ? [total - 1] : [] }
        return (0..<count).map { Int((Double($0) * Double(total - 1) / Double(count - 1)).rounded()) }
    }

    /// The GGUF name of each layout entry (`blk.0.attn_q.weight` for
    /// `model.layers.0.self_attn.q_proj.weight`).
    public static func ggufName(of name: String) -> String? {
        let fixed = ["model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight"]
        if let known = fixed[name] { return known }
        let parts = name.split(separator: ".")
        guard parts.count == 5 || parts.count == 6, parts.last == "weight", parts[0] == "model", parts[1] == "layers", let layer = Int(parts[2]) else { return nil }
        let modules = ["input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
                       "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
                       "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
                       "mlp.down_proj": "ffn_down"]
        let module = parts.count == 6 ? "\(parts[3]).\(parts[4])" : String(parts[3])
        return modules[module].map { "blk.\(layer).\($0).weight" }
    }

    /// Overwrites every parameter with the dequantized tensors of `file` (same sizes),
    /// tensors converted in parallel.
    public func loadWeights(from file: GGUFFile) throws {
        if file.tensorInfo("output.weight") != nil {
            throw TrainingError.unsupportedModel(tensor: "output.weight", reason: "untied LM head; only tied models train")
        }
        var sources: [(GGUFTensorInfo, ParameterLayout.Entry)] = []
        for entry in layout.entries {
            guard let name = Self.ggufName(of: entry.name), let info = file.tensorInfo(name) else {
                throw TrainingError.unsupportedModel(tensor: entry.name, reason: "missing from the file")
            }
            let rows = entry.shape[0], columns = entry.shape[1]
            guard info.rowLength == columns, info.rowCount == rows, info.byteCount > 0,
                  columns % info.type.blockElements == 0 else {
                throw TrainingError.unsupportedModel(
                    tensor: name, reason: "shape \(info.shape) or type \(info.type) does not fit [\(columns), \(rows)]")
            }
            sources.append((info, entry))
        }
        let tensors = sources.map { (info: $0.0, offset: $0.1.offset, count: $0.1.count) }
        // Each tensor writes only its own slice of the arena. One part per tensor (`threads:
        // tensors.count`): their sizes differ by orders of magnitude, so a free thread takes the next.
        Parallel.forEach(tensors.count, threads: tensors.count) { indices in
            for index in indices {
                let tensor = tensors[index]
                Dequantize.values(file.tensorBytes(tensor.info), type: tensor.info.type,
                                  into: UnsafeMutableBufferPointer(start: self.parameters + tensor.offset, count: tensor.count))
            }
        }
    }
}
