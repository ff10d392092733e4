import Testing
@testable import Engine

/// Each block type against a block built by hand with known values.
@Suite struct DequantizeTests {
    private func half(_ value: Float) -> [UInt8] {
        withUnsafeBytes(of: Float16(value).bitPattern.littleEndian) { Array($0) }
    }

    private func decode(_ bytes: [UInt8], _ type: GGMLType) -> [Float] {
        var out = [Float](repeating: .nan, count: type.blockElements)
        bytes.withUnsafeBytes { source in
            out.withUnsafeMutableBufferPointer { Dequantize.values(source, type: type, into: $0) }
        }
        return out
    }

    @Test func floatTypes() {
        #expect(decode(withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian) { Array($0) }, .f32) == [1.5])
        #expect(decode(half(-2.25), .f16) == [-2.25])
        // bf16 of 3.0 is the top 16 bits of its f32 pattern, 0x4040.
        #expect(decode([0x40, 0x40], .bf16) == [3.0])
    }

    @Test func q8_0() {
        let quants: [Int8] = (0..<32).map { Int8($0 - 16) }
        let block = half(0.5) + quants.map { UInt8(bitPattern: $0) }
        #expect(decode(block, .q8_0) == quants.map { Float($0) * 0.5 })
    }

    @Test func q4_0() {
        // Byte j holds element j in its low nibble and element j+16 in its high nibble.
        let quants: [UInt8] = (0..<16).map { (j: Int) -> UInt8 in UInt8(j) | UInt8(15 - j) << 4 }
        let block = half(2) + quants
        let first: [Float] = (0..<16).map { (j: Int) -> Float in Float(j - 8) * 2 }
        let second: [Float] = (0..<16).map { (j: Int) -> Float in Float(7 - j) * 2 }
        let expected = first + second
        #expect(decode(block, .q4_0) == expected)
    }

    @Test func q4_1() {
        let quants: [UInt8] = (0..<16).map { (j: Int) -> UInt8 in UInt8(j) | UInt8(j / 2) << 4 }
        let block = half(0.25) + half(-1) + quants
        let first: [Float] = (0..<16).map { (j: Int) -> Float in Float(j) * 0.25 - 1 }
        let second: [Float] = (0..<16).map { (j: Int) -> Float in Float(j / 2) * 0.25 - 1 }
        let expected = first + second
        #expect(decode(block, .q4_1) == expected)
    }

    @Test func q5_0() {
        // Fifth bits: element j takes bit j of qh (j < 16), element j+16 takes bit j+16.
        let highBits: UInt32 = 0b1010_0000_0000_0001 | (0b11 << 16) | (1 << 31)
        let highBytes: [UInt8] = withUnsafeBytes(of: highBits.littleEndian) { Array($0) }
        let quants: [UInt8] = (0..<16).map { (j: Int) -> UInt8 in UInt8(j) | 0x30 }
        let block = half(1) + highBytes + quants
        var expected = [Float](repeating: 0, count: 32)
        for j in 0..<16 {
            let low = j | (((highBits >> UInt32(j)) & 1) == 1 ? 16 : 0)
            let high = 3 | (((highBits >> UInt32(j + 16)) & 1) == 1 ? 16 : 0)
            expected[j] = Float(low - 16)
            expected[j + 16] = Float(high - 16)
        }
        #expect(decode(block, .q5_0) == expected)
    }

    @Test func q4_K() {
        // Sub-blocks 0–3 use the plain 6-bit fields; 4–7 combine low nibbles of bytes 8–11
        // with the top two bits of bytes 0–7.
        var scales = [UInt8](repeating: 0, count: 12)
        for j in 0..<4 { scales[j] = UInt8(j + 1) | (1 << 6); scales[j + 4] = UInt8(j + 10) | (2 << 6) }
        for j in 0..<4 { scales[j + 8] = UInt8(j + 2) | UInt8(j + 5) << 4 }
        let quants: [UInt8] = (0..<128).map { (i: Int) -> UInt8 in UInt8(i % 16) | UInt8((i + 3) % 16) << 4 }
        let block = half(0.5) + half(0.125) + scales + quants
        let subScales: [Float] = [1, 2, 3, 4, 2 + 16, 3 + 16, 4 + 16, 5 + 16]
        let subMins: [Float] = [10, 11, 12, 13, 5 + 32, 6 + 32, 7 + 32, 8 + 32]
        var expected = [Float](repeating: 0, count: 256)
        for group in 0..<4 {
            for l in 0..<32 {
                let q = quants[32 * group + l]
                expected[64 * group + l] = 0.5 * subScales[2 * group] * Float(q & 0xF) - 0.125 * subMins[2 * group]
                expected[64 * group + 32 + l] = 0.5 * subScales[2 * group + 1] * Float(q >> 4) - 0.125 * subMins[2 * group + 1]
            }
        }
        #expect(decode(block, .q4_K) == expected)
    }

    @Test func q6_K() {
        // Build the 256 six-bit values first, then pack them the way ggml lays them out.
        let values: [Int] = (0..<256).map { (i: Int) -> Int in (i * 7) % 64 }
        var low = [UInt8](repeating: 0, count: 128), high = [UInt8](repeating: 0, count: 64)
        for half in 0..<2 {
            for l in 0..<32 {
                let v = (0..<4).map { values[128 * half + 32 * $0 + l] }
                low[64 * half + l] = UInt8(v[0] & 0xF) | UInt8(v[2] & 0xF) << 4
                low[64 * half + l + 32] = UInt8(v[1] & 0xF) | UInt8(v[3] & 0xF) << 4
                high[32 * half + l] = UInt8(v[0] >> 4) | UInt8(v[1] >> 4) << 2 | UInt8(v[2] >> 4) << 4 | UInt8(v[3] >> 4) << 6
            }
        }
        let scales: [Int8] = (0..<16).map { Int8($0 - 8) }
        let block = low + high + scales.map { UInt8(bitPattern: $0) } + half(0.5)
        // Element i lies in sub-block i/16 of 16 values.
        let expected: [Float] = (0..<256).map { (i: Int) -> Float in 0.5 * Float(scales[i / 16]) * Float(values[i] - 32) }
        #expect(decode(block, .q6_K) == expected)
    }

    @Test func q8_0QuantizeRoundTrip() {
        let values = (0..<64).map { Float($0 - 30) * 0.1 }
        let bytes = Quantize.q8_0(values)
        var out = [Float](repeating: 0, count: 64)
        bytes.withUnsafeBytes { source in out.withUnsafeMutableBufferPointer { Dequantize.values(source, type: .q8_0, into: $0) } }
        for (a, b) in zip(values, out) { #expect(abs(a - b) <= 3.3 / 127 / 2 + 1e-3) }
    }
}
