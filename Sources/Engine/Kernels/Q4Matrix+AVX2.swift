#if RETORT_AVX2
extension Q4Matrix {
    /// One Q4_1 row against a Q8 activation on bytes (`DecodeKernel.avx2`): a block's 16
    /// bytes become its 32 nibbles in element order (low nibbles are elements 0–15, high
    /// ones 16–31), unsigned, so `vpmaddubsw` multiplies them with the activation bytes
    /// directly (pairs at most 2·15·128). The minimums need only each activation block's sum.
    @inline(__always)
    static func rowDotAVX2(
        _ nibbles: UnsafePointer<UInt8>, _ scales: UnsafePointer<Float16>, _ minimums: UnsafePointer<Float16>,
        _ activation: (quants: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>,
                       sums: UnsafeMutablePointer<Float>),
        _ blocks: Int
    ) -> Float {
        @inline(__always) func products(_ block: Int) -> SIMD8<Float> {
            let packed = UnsafeRawPointer(nibbles + 16 * block).loadUnaligned(as: SIMD16<UInt8>.self)
            let elements = SIMD32(lowHalf: packed & 0x0F, highHalf: (packed &>> 4) & 0x0F)
            let a = UnsafeRawPointer(activation.quants + 32 * block).loadUnaligned(as: SIMD32<Int8>.self)
            let sums = VectorInstructions.dotBytes(unsigned: elements, signed: a)
            return VectorInstructions.float(sums) * (Float(scales[block]) * activation.scales[block])
        }
        // Two accumulators, for even and odd blocks (see `Q8Matrix.rowDotAVX2`).
        var acc = (SIMD8<Float>(), SIMD8<Float>()), offsets: Float = 0
        for pair in 0..<(blocks / 2) {
            acc.0 += products(2 * pair)
            acc.1 += products(2 * pair + 1)
        }
        if blocks % 2 == 1 { acc.0 += products(blocks - 1) }
        // Σ m·s eight blocks at a time (a scalar chain of adds costs as much as the products).
        var offsetLanes = SIMD8<Float>(), block = 0
        while block + 8 <= blocks {
            offsetLanes += VectorInstructions.float(UnsafeRawPointer(minimums + block).loadUnaligned(as: SIMD8<Float16>.self))
                * UnsafeRawPointer(activation.sums + block).loadUnaligned(as: SIMD8<Float>.self)
            block += 8
        }
        while block < blocks {
            offsets += Float(minimums[block]) * activation.sums[block]
            block += 1
        }
        offsets += offsetLanes.sum()
        return (acc.0 + acc.1).sum() + offsets
    }
}
#endif
