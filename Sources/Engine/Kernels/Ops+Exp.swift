extension Ops {
    /// eˣ for four lanes without libm (SSE2 only): n = round(x·log₂e), r = x − n·ln2,
    /// eʳ from its degree-6 Taylor series (|r| ≤ 0.35, truncation error < 2e-7), and 2ⁿ
    /// built in the exponent bits. Inputs are clamped to [−87, 88], so results stay normal floats.
    @inline(__always)
    static func exp(_ x: SIMD4<Float>) -> SIMD4<Float> {
        let clamped = x.replacing(with: -87, where: x .< -87).replacing(with: 88, where: x .> 88)
        let t = clamped * 1.442_695_04
        // Adding 1.5·2²³ rounds t to an integer, which lands in the low mantissa bits.
        let shifted = t + 12_582_912
        let n = shifted - 12_582_912
        // r = x − n·ln2 with ln2 split in two (Cody–Waite) so r keeps full precision.
        let f = clamped - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-6  // in [−0.35, 0.35]
        var p = f * (1.0 / 720) + 1.0 / 120
        p = p * f + 1.0 / 24
        p = p * f + 1.0 / 6
        p = p * f + 0.5
        p = p * f + 1
        p = p * f + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD4<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: SIMD4<Float>.self)
    }

    /// In-place softmax of `x[0..<count]`, four lanes at a time.
    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let whole = count & ~3
        var maximum = -Float.infinity
        var lanes = SIMD4<Float>(repeating: -.infinity)
        let raw = UnsafeMutableRawPointer(x)
        for offset in stride(from: 0, to: 4 * whole, by: 16) {
            lanes = pointwiseMax(lanes, raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self))
        }
        maximum = lanes.max()
        for i in whole..<count { maximum = Swift.max(maximum, x[i]) }
        var sums = SIMD4<Float>()
        for offset in stride(from: 0, to: 4 * whole, by: 16) {
            let e = exp(raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self) - maximum)
            raw.storeBytes(of: e, toByteOffset: offset, as: SIMD4<Float>.self)
            sums += e
        }
        var sum = sums.sum()
        for i in whole..<count {
            x[i] = exp(SIMD4<Float>(repeating: x[i] - maximum))[0]
            sum += x[i]
        }
        let inverse = 1 / sum
        for offset in stride(from: 0, to: 4 * whole, by: 16) {
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self) * inverse,
                           toByteOffset: offset, as: SIMD4<Float>.self)
        }
        for i in whole..<count { x[i] *= inverse }
    }

    /// SwiGLU: `out[t, j] = silu(gateUp[t, j]) * gateUp[t, F + j]`, F a multiple of 4.
    /// - Parameters:
    ///   - out: (T, F)
    ///   - gateUp: (T, 2F), gate then up
    static func swiGLU(out: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>, rows: Int, features: Int) {
        for t in 0..<rows {
            let gate = UnsafeRawPointer(gateUp + t * 2 * features), up = gate + 4 * features
            let target = UnsafeMutableRawPointer(out + t * features)
            for offset in stride(from: 0, to: 4 * features, by: 16) {
                let g = gate.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
                let u = up.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
                target.storeBytes(of: g / (1 + exp(-g)) * u, toByteOffset: offset, as: SIMD4<Float>.self)
            }
        }
    }
}
