/// Token embedding lookup: row `tokens[t]` of the table becomes activation row t.
///
/// Shape letters as in `Engine.LlamaConfig`: T tokens, C channels, V vocabulary.
public enum Embedding {
    /// `out[t] = table[tokens[t]]`.
    /// - Parameters:
    ///   - out: (T, C)
    ///   - tokens: (T) ids in `0 ..< V`
    ///   - table: (V, C)
    public static func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                               table: UnsafePointer<Float>, rows: Int, channels: Int) {
        for t in 0..<rows {
            (out + t * channels).update(from: table + Int(tokens[t]) * channels, count: channels)
        }
    }

    /// Scatters the output gradient into the table gradient: `tableGradient[tokens[t]] += outGradient[t]`.
    /// - Parameters:
    ///   - tableGradient: (V, C), accumulated into
    ///   - outGradient: (T, C)
    ///   - tokens: (T)
    public static func backward(tableGradient: UnsafeMutablePointer<Float>, outGradient: UnsafePointer<Float>,
                                tokens: UnsafePointer<Int32>, rows: Int, channels: Int) {
        for t in 0..<rows {
            let target = tableGradient + Int(tokens[t]) * channels, source = outGradient + t * channels
            for c in 0..<channels { target[c] += source[c] }
        }
    }
}
