import Engine
import Foundation

/// A deliberately plain Llama forward pass in double precision, straight from the
/// dequantized GGUF tensors: the reference the engine's BLAS and Q8 paths are checked
/// against. One token at a time, no cache tricks, no fused weights.
struct NaiveLlama {
    let config: LlamaConfig
    let tensors: [String: [Double]]

    init(file: GGUFFile) throws {
        config = try LlamaConfig(file: file)
        var tensors: [String: [Double]] = [:]
        for info in file.tensors { tensors[info.name] = try file.dequantizedTensor(info.name).map(Double.init) }
        self.tensors = tensors
    }

    private func weight(_ name: String) -> [Double] { tensors[name] ?? [] }

    /// y = W x for W (rows, x.count).
    private func matvec(_ name: String, _ x: [Double]) -> [Double] {
        let w = weight(name), columns = x.count
        return (0..<(w.count / columns)).map { row in
            (0..<columns).reduce(0.0) { $0 + w[row * columns + $1] * x[$1] }
        }
    }

    private func rmsNorm(_ x: [Double], _ name: String) -> [Double] {
        let w = weight(name)
        let scale = 1 / (x.reduce(0) { $0 + $1 * $1 } / Double(x.count) + Double(config.rmsEpsilon)).squareRoot()
        return x.indices.map { x[$0] * scale * w[$0] }
    }

    private func rope(_ x: inout [Double], position: Int) {
        let d = config.headDim
        for head in 0..<(x.count / d) {
            for i in 0..<(d / 2) {
                let angle = Double(position) * pow(Double(config.ropeBase), -2 * Double(i) / Double(d))
                let a = x[head * d + 2 * i], b = x[head * d + 2 * i + 1]
                x[head * d + 2 * i] = a * cos(angle) - b * sin(angle)
                x[head * d + 2 * i + 1] = a * sin(angle) + b * cos(angle)
            }
        }
    }

    /// Logits (V) after the last of `tokens`.
    func logits(_ tokens: [Int32]) -> [Double] {
        let c = config, d = c.headDim
        let embedding = weight("token_embd.weight")
        var keys = [[[Double]]](repeating: [], count: c.layers), values = keys
        var x: [Double] = []
        for (position, token) in tokens.enumerated() {
            x = Array(embedding[Int(token) * c.channels..<(Int(token) + 1) * c.channels])
            for layer in 0..<c.layers {
                let p = "blk.\(layer)."
                let h = rmsNorm(x, p + "attn_norm.weight")
                var q = matvec(p + "attn_q.weight", h), k = matvec(p + "attn_k.weight", h)
                rope(&q, position: position)
                rope(&k, position: position)
                keys[layer].append(k)
                values[layer].append(matvec(p + "attn_v.weight", h))
                var attended = [Double](repeating: 0, count: c.channels)
                for head in 0..<c.heads {
                    let kv = head / (c.heads / c.kvHeads)
                    let scores = keys[layer].map { key in
                        (0..<d).reduce(0.0) { $0 + q[head * d + $1] * key[kv * d + $1] } / Double(d).squareRoot()
                    }
                    let maximum = scores.max() ?? 0
                    let weights = scores.map { exp($0 - maximum) }
                    let total = weights.reduce(0, +)
                    for (t, value) in values[layer].enumerated() {
                        for i in 0..<d { attended[head * d + i] += weights[t] / total * value[kv * d + i] }
                    }
                }
                let projected = matvec(p + "attn_output.weight", attended)
                x = x.indices.map { x[$0] + projected[$0] }
                let f = rmsNorm(x, p + "ffn_norm.weight")
                let gate = matvec(p + "ffn_gate.weight", f), up = matvec(p + "ffn_up.weight", f)
                let hidden = gate.indices.map { gate[$0] / (1 + exp(-gate[$0])) * up[$0] }
                let down = matvec(p + "ffn_down.weight", hidden)
                x = x.indices.map { x[$0] + down[$0] }
            }
        }
        let head = tensors["output.weight"] == nil ? "token_embd.weight" : "output.weight"
        return matvec(head, rmsNorm(x, "output_norm.weight"))
    }
}
