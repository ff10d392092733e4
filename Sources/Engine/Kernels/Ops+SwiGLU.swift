extension Ops {
    /// SwiGLU per row: `out[t, j] = silu(gateUp[t, j]) * gateUp[t, F + j]`.
    /// - Parameters:
    ///   - out: (T, F)
    ///   - gateUp: (T, 2F), gate then up
    static func swiGLU(out: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>, rows: Int, features: Int) {
        for t in 0..<rows {
            let gate = gateUp + t * 2 * features
            VectorMath.swiGLU(out: out + t * features, gate: gate, up: gate + features, count: features)
        }
    }
}
