extension Ops {
    /// SwiGLU: `out[t, j] = silu(gateUp[t, j]) * gateUp[t, F + j]`, F a multiple of 8.
    /// - Parameters:
    ///   - out: (T, F)
    ///   - gateUp: (T, 2F), gate then up
    static func swiGLU(out: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>, rows: Int, features: Int) {
        precondition(features % 8 == 0)
        for t in 0..<rows {
            let gate = gateUp + t * 2 * features, up = gate + features, target = out + t * features
            for j in stride(from: 0, to: features, by: 8) {
                let g = VectorMath.load(gate + j)
                VectorMath.store(g / (1 + VectorMath.exp(-g)) * VectorMath.load(up + j), target + j)
            }
        }
    }
}
