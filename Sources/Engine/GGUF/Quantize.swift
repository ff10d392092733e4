/// f32 → Q8_0 quantization (after ggml-quants.c `quantize_row_q8_0_ref`).
public enum Quantize {
    /// Quantizes 32 floats at `values` into one 34-byte Q8_0 block at `block`:
    /// `d = max|x| / 127` stored as f16, `qs[j] = round(x[j] / d)`.
    @inline(__always)
    public static func q8_0Block(_ values: UnsafePointer<Float>, into block: UnsafeMutableRawPointer) {
        var amax: Float = 0
        for j in 0..<32 { amax = max(amax, abs(values[j])) }
        let scale = amax / 127
        let inverse: Float = scale == 0 ? 0 : 1 / scale
        block.storeBytes(of: Float16(scale).bitPattern.littleEndian, as: UInt16.self)
        let quants = (block + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { quants[j] = roundToInt8(values[j] * inverse) }
    }

    /// Quantizes `values` (a multiple of 32 long) into Q8_0 bytes.
    public static func q8_0(_ values: [Float]) -> [UInt8] {
        precondition(values.count % 32 == 0, "Q8_0 needs a multiple of 32 values")
        let blocks = values.count / 32
        var bytes = [UInt8](repeating: 0, count: blocks * 34)
        values.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { destination in
                for index in 0..<blocks {
                    q8_0Block(source.baseAddress! + 32 * index, into: destination.baseAddress! + 34 * index)
                }
            }
        }
        return bytes
    }

    /// Rounds half away from zero (like `roundf`) without a libm call, clamped to
    /// ±127; NaN becomes 0, so corrupt weights can never trap the conversion.
    @inline(__always)
    static func roundToInt8(_ x: Float) -> Int8 {
        let clamped = x.isNaN ? 0 : min(max(x, -127), 127)
        return Int8(truncatingIfNeeded: Int32(clamped + (clamped < 0 ? -0.5 : 0.5)))
    }
}
