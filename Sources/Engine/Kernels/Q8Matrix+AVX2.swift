#if RETORT_AVX2
extension Q8Matrix {
    /// The dot product of one Q8 row with a Q8 activation on bytes (`DecodeKernel.avx2`),
    /// as llama.cpp's AVX2 Q8_0 kernel: the weights' signs move onto the activation
    /// (`vpsignb`), so the unsigned-times-signed `vpmaddubsw` multiplies |w| by ±a; pairs
    /// stay within Int16 (|w| ≤ 128, |a| ≤ 127: 2·128·127 < 2¹⁵).
    @inline(__always)
    static func rowDotAVX2(
        _ weights: UnsafePointer<Int8>, _ weightScales: UnsafePointer<Float>,
        _ activation: UnsafePointer<Int8>, _ activationScales: UnsafePointer<Float>, _ blocks: Int
    ) -> Float {
        @inline(__always) func products(_ block: Int) -> SIMD8<Float> {
            let w = UnsafeRawPointer(weights + 32 * block).loadUnaligned(as: SIMD32<Int8>.self)
            let a = UnsafeRawPointer(activation + 32 * block).loadUnaligned(as: SIMD32<Int8>.self)
            let magnitudes = unsafeBitCast(VectorInstructions.applySign(w, of: w), to: SIMD32<UInt8>.self)
            let sums = VectorInstructions.dotBytes(unsigned: magnitudes, signed: VectorInstructions.applySign(a, of: w))
            return VectorInstructions.float(sums) * (weightScales[block] * activationScales[block])
        }
        // Two accumulators, for even and odd blocks: one chain of dependent adds would wait
        // out each one's latency.
        var acc = (SIMD8<Float>(), SIMD8<Float>())
        for pair in 0..<(blocks / 2) {
            acc.0 += products(2 * pair)
            acc.1 += products(2 * pair + 1)
        }
        if blocks % 2 == 1 { acc.0 += products(blocks - 1) }
        return (acc.0 + acc.1).sum()
    }
}
#endif
