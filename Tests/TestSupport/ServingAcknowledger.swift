import Engine

/// A tiny student that has "learnt" a narrow task perfectly: whatever it is asked, its
/// greedy answer is `OK` followed by `<|im_end|>`, with token probabilities near 1.
///
/// Built by hand rather than trained: every block's weights are zero, so the residual
/// stream is the current token's embedding and the next token depends on the current one
/// alone. With tied embeddings the logit of token v after token t is
/// `u_v · diag(g) · rmsnorm(u_t)`, a symmetric form; it gives the chain
/// `\n → O → K → <|im_end|>` when the scores of neighbouring pairs grow along the chain
/// (1, 2, 3) and each token scores 0 against itself (positive dimensions cancelled by a
/// negative one, where the final norm's weight `g` is −1). Every other token has a zero
/// embedding and scores 0. The chat template ends its prompt with `assistant\n`, so
/// generation always starts from `\n`.
public enum ServingAcknowledger {
    /// The answer it gives.
    public static let answer = "OK"

    /// Writes the model and returns its path.
    public static func write() throws -> String {
        try TinyModel.write { writer in addTensors(&writer) }
    }

    private static func addTensors(_ writer: inout GGUFWriter) {
        let c = TinyModel.config
        let scale: Float = 4  // logits scale with the embedding's size: margins of ~20 nats
        let newline = TinyModel.tokenID(ofByte: 0x0A), o = TinyModel.tokenID(ofByte: 0x4F), k = TinyModel.tokenID(ofByte: 0x4B)
        let end = 2
        // Positive dimensions 0 (pair \n–O), 1 (O–K), 2 (K–end); negative dimensions 3…6, one per token.
        let root2 = Float(2).squareRoot(), root3 = Float(3).squareRoot()
        let positive: [Int: [(Int, Float)]] = [newline: [(0, 1)], o: [(0, 1), (1, root2)],
                                               k: [(1, root2), (2, root3)], end: [(2, root3)]]
        var embedding = [Float](repeating: 0, count: c.vocabularySize * c.channels)
        for (index, (token, parts)) in positive.sorted(by: { $0.key < $1.key }).enumerated() {
            let squaredNorm = parts.reduce(Float(0)) { $0 + $1.1 * $1.1 }
            for (dimension, value) in parts { embedding[token * c.channels + dimension] = scale * value }
            embedding[token * c.channels + 3 + index] = scale * squaredNorm.squareRoot()
        }
        var norm = [Float](repeating: 0, count: c.channels)
        for dimension in 0..<3 { norm[dimension] = 1 }
        for dimension in 3..<7 { norm[dimension] = -1 }
        writer.addTensor("token_embd.weight", shape: [c.channels, c.vocabularySize], values: embedding)
        writer.addTensor("output_norm.weight", shape: [c.channels], values: norm)
        let ones = [Float](repeating: 1, count: c.channels)
        for layer in 0..<c.layers {
            let prefix = "blk.\(layer)."
            writer.addTensor(prefix + "attn_norm.weight", shape: [c.channels], values: ones)
            writer.addTensor(prefix + "ffn_norm.weight", shape: [c.channels], values: ones)
            for (name, rows) in [("attn_q", c.channels), ("attn_k", c.kvDim), ("attn_v", c.kvDim),
                                 ("attn_output", c.channels), ("ffn_gate", c.feedForward), ("ffn_up", c.feedForward)] {
                writer.addTensor(prefix + name + ".weight", shape: [c.channels, rows], values: [Float](repeating: 0, count: rows * c.channels))
            }
            writer.addTensor(prefix + "ffn_down.weight", shape: [c.feedForward, c.channels],
                             values: [Float](repeating: 0, count: c.channels * c.feedForward))
        }
    }
}
