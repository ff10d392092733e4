/// A ggml tensor element type, as stored in GGUF tensor infos (gguf-py `GGMLQuantizationType`).
public enum GGMLType: UInt32, Sendable, CaseIterable {
    /// 32-bit IEEE float.
    case f32 = 0
    /// 16-bit IEEE half float.
    case f16 = 1
    /// 4-bit, blocks of 32 with one f16 scale.
    case q4_0 = 2
    /// 4-bit, blocks of 32 with an f16 scale and an f16 minimum.
    case q4_1 = 3
    /// 5-bit, blocks of 32 with one f16 scale.
    case q5_0 = 6
    /// 8-bit, blocks of 32 with one f16 scale.
    case q8_0 = 8
    /// 4-bit k-quant, super-blocks of 256.
    case q4_K = 12
    /// 6-bit k-quant, super-blocks of 256.
    case q6_K = 14
    /// bfloat16.
    case bf16 = 30

    /// Elements per block (1 for plain float types).
    public var blockElements: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q5_0, .q8_0: return 32
        case .q4_K, .q6_K: return 256
        }
    }

    /// Bytes per block (facts/engine.md §2.2, `GGML_QUANT_SIZES`).
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q8_0: return 34
        case .q4_K: return 144
        case .q6_K: return 210
        }
    }

    /// Bytes needed for one row of `elements` values, or `nil` if the row is not a whole
    /// number of blocks.
    public func rowBytes(elements: Int) -> Int? {
        guard elements >= 0, elements % blockElements == 0 else { return nil }
        return elements / blockElements * blockBytes
    }
}
