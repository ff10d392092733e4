/// The integer dot kernels of the decode matvecs (`Q8Matrix`, `Q4Matrix` against a
/// `Q8Activation`). Every kernel computes the same integer sums exactly; they differ in
/// the instructions they reach.
public enum DecodeKernel: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Swift SIMD types only (`pmaddwd` on int16 copies): correct on any CPU.
    case portable
    /// `vpmaddubsw` on bytes (or `vpdpbusd` where AVX-512 VNNI is built in), as llama.cpp's
    /// AVX2 kernels: half the instructions per weight of `portable`.
    case avx2

    /// The kernels this binary was built with (`avx2` needs the `RETORT_AVX2` tier, which
    /// Package.swift sets from the building CPU or `RETORT_TARGET_CPU`).
    public static var built: [DecodeKernel] {
        #if RETORT_AVX2
        [.portable, .avx2]
        #else
        [.portable]
        #endif
    }

    /// The fastest built kernel: what decode uses.
    public static var best: DecodeKernel { built.last ?? .portable }

    /// The kernel and its instructions, as printed at start and in `/healthz`.
    public var description: String {
        switch self {
        case .portable: "portable (pmaddwd on int16)"
        case .avx2:
            #if RETORT_AVX512_VNNI
            "avx512-vnni (vpdpbusd)"
            #else
            "avx2 (vpmaddubsw)"
            #endif
        }
    }
}
