/// Conversion of GGUF tensor data to f32 (facts/engine.md §2.3, after ggml-quants.c
/// `dequantize_row_*`). Each block function reads one block at `block` and writes
/// `type.blockElements` floats at `out`.
public enum Dequantize {
    /// Converts `out.count` elements of `type` from `source` (which must hold at least
    /// `out.count / blockElements` blocks) into `out`.
    public static func values(_ source: UnsafeRawBufferPointer, type: GGMLType, into out: UnsafeMutableBufferPointer<Float>) {
        guard let destination = out.baseAddress, let base = source.baseAddress else { return }
        let blocks = out.count / type.blockElements
        precondition(blocks * type.blockBytes <= source.count, "source too short for \(out.count) \(type) values")
        for index in 0..<blocks {
            block(base + index * type.blockBytes, type: type, into: destination + index * type.blockElements)
        }
    }

    /// Dequantizes one block of `type`.
    @inline(__always)
    public static func block(_ block: UnsafeRawPointer, type: GGMLType, into out: UnsafeMutablePointer<Float>) {
        switch type {
        case .f32: out[0] = Float(bitPattern: UInt32(littleEndian: block.loadUnaligned(as: UInt32.self)))
        case .f16: out[0] = half(block, 0)
        case .bf16: out[0] = Float(bitPattern: UInt32(block.loadUnaligned(as: UInt16.self)) << 16)
        case .q8_0: q8_0(block, out)
        case .q4_0: q4_0(block, out)
        case .q4_1: q4_1(block, out)
        case .q5_0: q5_0(block, out)
        case .q4_K: q4_K(block, out)
        case .q6_K: q6_K(block, out)
        }
    }

    /// Reads a little-endian IEEE half at byte `offset` of `pointer`.
    @inline(__always)
    static func half(_ pointer: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }

    /// `{f16 d; int8 qs[32]}`: y = qs * d.
    static func q8_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let scale = half(block, 0)
        let quants = (block + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { out[j] = Float(quants[j]) * scale }
    }

    /// `{f16 d; u8 qs[16]}`: low nibbles are elements 0–15, high nibbles 16–31, offset −8.
    static func q4_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let scale = half(block, 0)
        let quants = (block + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            out[j] = Float(Int(quants[j] & 0xF) - 8) * scale
            out[j + 16] = Float(Int(quants[j] >> 4) - 8) * scale
        }
    }

    /// `{f16 d; f16 m; u8 qs[16]}`: y = q * d + m.
    static func q4_1(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let scale = half(block, 0), minimum = half(block, 2)
        let quants = (block + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            out[j] = Float(quants[j] & 0xF) * scale + minimum
            out[j + 16] = Float(quants[j] >> 4) * scale + minimum
        }
    }

    /// `{f16 d; u8 qh[4]; u8 qs[16]}`: a fifth bit per element from `qh`, offset −16.
    static func q5_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let scale = half(block, 0)
        let high = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        let quants = (block + 6).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let high0 = ((high >> UInt32(j)) << 4) & 0x10
            let high1 = (high >> UInt32(j + 12)) & 0x10
            out[j] = Float(Int32(UInt32(quants[j] & 0xF) | high0) - 16) * scale
            out[j + 16] = Float(Int32(UInt32(quants[j] >> 4) | high1) - 16) * scale
        }
    }

    /// The 6-bit scale and min of sub-block `j` in a Q4_K block (`get_scale_min_k4`).
    @inline(__always)
    static func scaleMinK4(_ j: Int, _ q: UnsafePointer<UInt8>) -> (scale: Float, min: Float) {
        if j < 4 { return (Float(q[j] & 63), Float(q[j + 4] & 63)) }
        let scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4)
        let minimum = (q[j + 4] >> 4) | ((q[j] >> 6) << 4)
        return (Float(scale), Float(minimum))
    }

    /// `{f16 d; f16 dmin; u8 scales[12]; u8 qs[128]}`: 8 sub-blocks of 32 with 6-bit scale/min.
    static func q4_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let scale = half(block, 0), minScale = half(block, 2)
        let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
        let quants = (block + 16).assumingMemoryBound(to: UInt8.self)
        for group in 0..<4 {
            let (scale1, min1) = scaleMinK4(2 * group, scales)
            let (scale2, min2) = scaleMinK4(2 * group + 1, scales)
            let d1 = scale * scale1, m1 = minScale * min1, d2 = scale * scale2, m2 = minScale * min2
            let q = quants + 32 * group, y = out + 64 * group
            for l in 0..<32 {
                y[l] = d1 * Float(q[l] & 0xF) - m1
                y[l + 32] = d2 * Float(q[l] >> 4) - m2
            }
        }
    }

    /// `{u8 ql[128]; u8 qh[64]; int8 scales[16]; f16 d}`: two halves of 128 values.
    static func q6_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let scale = half(block, 208)
        for half in 0..<2 {
            let low = (block + 64 * half).assumingMemoryBound(to: UInt8.self)
            let high = (block + 128 + 32 * half).assumingMemoryBound(to: UInt8.self)
            let scales = (block + 192 + 8 * half).assumingMemoryBound(to: Int8.self)
            let y = out + 128 * half
            for l in 0..<32 {
                let sub = l / 16
                let q1 = Int(low[l] & 0xF) | (Int((high[l] >> 0) & 3) << 4)
                let q2 = Int(low[l + 32] & 0xF) | (Int((high[l] >> 2) & 3) << 4)
                let q3 = Int(low[l] >> 4) | (Int((high[l] >> 4) & 3) << 4)
                let q4 = Int(low[l + 32] >> 4) | (Int((high[l] >> 6) & 3) << 4)
                y[l] = scale * Float(scales[sub]) * Float(q1 - 32)
                y[l + 32] = scale * Float(scales[sub + 2]) * Float(q2 - 32)
                y[l + 64] = scale * Float(scales[sub + 4]) * Float(q3 - 32)
                y[l + 96] = scale * Float(scales[sub + 6]) * Float(q4 - 32)
            }
        }
    }
}
