import Engine

/// Conversions between the GGUF `llama` layout the trainer and engine use and the Hugging
/// Face layout safetensors readers expect.
///
/// llama.cpp's converter permutes the rows of `q_proj` and `k_proj` so that RoPE can turn
/// adjacent pairs (convert_hf_to_gguf.py `LlamaModel.permute`): within each head of width
/// hd = 2·half, HF row `j·half + i` becomes GGUF row `2i + j` (j ∈ {0, 1}). Every other
/// tensor is stored the same way in both.
public enum HFLayout {
    /// The number of heads whose rows `name` permutes: NH for `q_proj`, the kv heads for
    /// `k_proj`, nil for tensors stored identically.
    public static func permutedHeads(_ name: String, config: LlamaConfig) -> Int? {
        if name.contains("self_attn.q_proj") { return config.heads }
        if name.contains("self_attn.k_proj") { return config.kvHeads }
        return nil
    }

    /// Rows of a (heads·hd, columns) matrix reordered from GGUF to HF order.
    /// - Parameter values: (heads · headDim, columns), GGUF row order
    /// - Returns: (heads · headDim, columns), HF row order
    public static func ggufToHF(_ values: [Float], heads: Int, headDim: Int, columns: Int) -> [Float] {
        reorder(values, heads: heads, headDim: headDim, columns: columns, toHF: true)
    }

    /// The inverse of ``ggufToHF(_:heads:headDim:columns:)``.
    public static func hfToGGUF(_ values: [Float], heads: Int, headDim: Int, columns: Int) -> [Float] {
        reorder(values, heads: heads, headDim: headDim, columns: columns, toHF: false)
    }

    private static func reorder(_ values: [Float], heads: Int, headDim: Int, columns: Int, toHF: Bool) -> [Float] {
        precondition(values.count == heads * headDim * columns, "matrix size does not match heads × headDim × columns")
        var out = values
        let half = headDim / 2
        for head in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let gguf = head * headDim + 2 * i + j, hf = head * headDim + j * half + i
                    let (from, to) = toHF ? (gguf, hf) : (hf, gguf)
                    for c in 0..<columns { out[to * columns + c] = values[from * columns + c] }
                }
            }
        }
        return out
    }
}
