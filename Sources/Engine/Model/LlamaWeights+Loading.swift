import Dispatch

extension LlamaWeights {
    /// Dequantizes tensor `name`, checking it is (rows, columns) = ne[1], ne[0].
    static func load(_ file: GGUFFile, _ name: String, rows: Int, columns: Int,
                     into out: UnsafeMutablePointer<Float>) throws {
        guard let info = file.tensorInfo(name) else {
            throw EngineError.invalidTensor(name: name, reason: "missing from the file")
        }
        guard info.rowLength == columns, info.rowCount == rows else {
            throw EngineError.invalidTensor(name: name, reason: "shape \(info.shape), expected [\(columns), \(rows)]")
        }
        Dequantize.values(file.tensorBytes(info), type: info.type,
                          into: UnsafeMutableBufferPointer(start: out, count: rows * columns))
    }

    /// Loads tensor `name` as a Q8 matrix, copying Q8_0 blocks as they are.
    static func loadQ8(_ file: GGUFFile, _ name: String, rows: Int, columns: Int) throws -> Q8Matrix {
        guard let info = file.tensorInfo(name) else {
            throw EngineError.invalidTensor(name: name, reason: "missing from the file")
        }
        guard info.rowLength == columns, info.rowCount == rows, columns % 32 == 0 else {
            throw EngineError.invalidTensor(name: name, reason: "shape \(info.shape), expected [\(columns), \(rows)]")
        }
        if info.type == .q8_0 {
            return Q8Matrix(q8_0Blocks: file.tensorBytes(info), rows: rows, columns: columns)
        }
        let values = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns)
        defer { values.deallocate() }
        try load(file, name, rows: rows, columns: columns, into: values)
        return Q8Matrix(weights: values, rows: rows, columns: columns)
    }

    /// Loads every block, converting layers in parallel.
    static func loadLayers(_ file: GGUFFile, config: LlamaConfig, arena: UnsafeMutablePointer<Float>,
                           decode: DecodeWeights) throws -> [LlamaLayer] {
        let results = LayerResults(count: config.layers)
        let perLayer = layerFloats(config)
        let base = Disjoint(arena)  // each layer writes only its own slice
        // One part per layer (`threads: config.layers`), taken by whichever thread is free.
        Parallel.forEach(config.layers, threads: config.layers) { layers in
            for index in layers {
                let result = Result {
                    try loadLayer(file, index, config: config, base: base.value + index * perLayer, decode: decode)
                }
                results.set(index, result)
            }
        }
        return try results.values()
    }

    private static func loadLayer(_ file: GGUFFile, _ index: Int, config c: LlamaConfig,
                                  base: UnsafeMutablePointer<Float>, decode: DecodeWeights) throws -> LlamaLayer {
        let prefix = "blk.\(index)."
        var cursor = base
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += count }
            return cursor
        }
        func linear(_ parts: [(String, Int)], inputs: Int) throws -> Linear {
            let outputs = parts.reduce(0) { $0 + $1.1 }
            let weight = take(outputs * inputs)
            var row = 0
            for (name, rows) in parts {
                try load(file, prefix + name, rows: rows, columns: inputs, into: weight + row * inputs)
                row += rows
            }
            let quantized = decodeMatrix(file, parts.map { (prefix + $0.0, $0.1) }, weight: weight, inputs: inputs,
                                         decode: decode)
            return Linear(weight: weight, quantized: quantized, outputs: outputs, inputs: inputs)
        }
        let attentionNorm = take(c.channels)
        try load(file, prefix + "attn_norm.weight", rows: 1, columns: c.channels, into: attentionNorm)
        let feedForwardNorm = take(c.channels)
        try load(file, prefix + "ffn_norm.weight", rows: 1, columns: c.channels, into: feedForwardNorm)
        let qkv = try linear([("attn_q.weight", c.channels), ("attn_k.weight", c.kvDim), ("attn_v.weight", c.kvDim)],
                             inputs: c.channels)
        let output = try linear([("attn_output.weight", c.channels)], inputs: c.channels)
        let gateUp = try linear([("ffn_gate.weight", c.feedForward), ("ffn_up.weight", c.feedForward)], inputs: c.channels)
        let down = try linear([("ffn_down.weight", c.channels)], inputs: c.feedForward)
        return LlamaLayer(attentionNorm: attentionNorm, qkv: qkv, output: output,
                          feedForwardNorm: feedForwardNorm, gateUp: gateUp, down: down)
    }
}

extension LlamaWeights {
    /// The decode copy of a linear layer stacked from `parts` (tensor name, rows), whose f32
    /// values are already in `weight`: Q4_1 blocks are copied when every part is stored as Q4_1.
    static func decodeMatrix(_ file: GGUFFile, _ parts: [(String, Int)], weight: UnsafeMutablePointer<Float>,
                             inputs: Int, decode: DecodeWeights) -> (any DecodeMatrix)? {
        let outputs = parts.reduce(0) { $0 + $1.1 }
        switch decode {
        case .f32:
            return nil
        case .q8_0, .auto:  // `auto` is resolved before loading; q8_0 is its fallback
            return Q8Matrix(weights: weight, rows: outputs, columns: inputs)
        case .q4_1:
            let infos = parts.compactMap { file.tensorInfo($0.0) }
            guard infos.count == parts.count, infos.allSatisfy({ $0.type == .q4_1 }) else {
                return Q4Matrix(weights: weight, rows: outputs, columns: inputs)
            }
            return Q4Matrix(q4_1Parts: zip(infos, parts).map { (file.tensorBytes($0.0), $0.1.1) }, columns: inputs)
        }
    }
}

/// Collects per-layer results from concurrent workers (each index written once).
private final class LayerResults: @unchecked Sendable {
    private var results: [Result<LlamaLayer, Error>?]
    private let lock = DispatchQueue(label: "engine.layer-results")

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<LlamaLayer, Error>) {
        lock.sync { results[index] = result }
    }

    func values() throws -> [LlamaLayer] {
        try lock.sync { try results.map { try ($0 ?? .failure(EngineError.invalidGGUF("layer not loaded"))).get() } }
    }
}
