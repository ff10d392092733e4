#if RETORT_AVX2
import Builtin

/// The x86 integer instructions the decode kernels need and Swift's SIMD types cannot
/// express (LLVM matches `vpmaddwd` from a widening multiply only in some shapes, and
/// never `vpmaddubsw`, whose saturation no SIMD operation spells), as typed wrappers over
/// the compiler's `Builtin` LLVM intrinsics. Compiled only for a tier that has them
/// (`RETORT_AVX2`, set by Package.swift from the target CPU).
enum VectorInstructions {
    /// `vpmaddubsw`: `u[2i]·s[2i] + u[2i+1]·s[2i+1]` per 16-bit lane, saturated to Int16
    /// (unsigned bytes times signed bytes).
    @inline(__always)
    static func multiplyAddPairs(unsigned u: SIMD32<UInt8>, signed s: SIMD32<Int8>) -> SIMD16<Int16> {
        unsafeBitCast(Builtin.int_x86_avx2_pmadd_ub_sw(unsafeBitCast(u, to: Builtin.Vec32xInt8.self),
                                                       unsafeBitCast(s, to: Builtin.Vec32xInt8.self)),
                      to: SIMD16<Int16>.self)
    }

    /// `vpmaddwd`: `a[2i]·b[2i] + a[2i+1]·b[2i+1]` per 32-bit lane.
    @inline(__always)
    static func multiplyAddPairs(_ a: SIMD16<Int16>, _ b: SIMD16<Int16>) -> SIMD8<Int32> {
        unsafeBitCast(Builtin.int_x86_avx2_pmadd_wd(unsafeBitCast(a, to: Builtin.Vec16xInt16.self),
                                                    unsafeBitCast(b, to: Builtin.Vec16xInt16.self)),
                      to: SIMD8<Int32>.self)
    }

    /// `vpsignb`: each byte of `a`, negated where `sign` is negative and zeroed where it is zero.
    @inline(__always)
    static func applySign(_ a: SIMD32<Int8>, of sign: SIMD32<Int8>) -> SIMD32<Int8> {
        unsafeBitCast(Builtin.int_x86_avx2_psign_b(unsafeBitCast(a, to: Builtin.Vec32xInt8.self),
                                                   unsafeBitCast(sign, to: Builtin.Vec32xInt8.self)),
                      to: SIMD32<Int8>.self)
    }

    /// `vcvtdq2ps`: each lane converted to Float (the stdlib's generic conversion is not
    /// always inlined, and a call per block costs more than the block).
    @inline(__always)
    static func float(_ v: SIMD8<Int32>) -> SIMD8<Float> {
        unsafeBitCast(Builtin.sitofp_Vec8xInt32_Vec8xFPIEEE32(unsafeBitCast(v, to: Builtin.Vec8xInt32.self)),
                      to: SIMD8<Float>.self)
    }

    /// `vcvtph2ps`: eight halves widened to Float.
    @inline(__always)
    static func float(_ v: SIMD8<Float16>) -> SIMD8<Float> {
        unsafeBitCast(Builtin.fpext_Vec8xFPIEEE16_Vec8xFPIEEE32(unsafeBitCast(v, to: Builtin.Vec8xFPIEEE16.self)),
                      to: SIMD8<Float>.self)
    }

    /// The sum of the four products `u[4i+j]·s[4i+j]` per 32-bit lane, without saturation:
    /// `vpdpbusd` (AVX-512 VNNI) where the tier has it, else `vpmaddubsw` then `vpmaddwd`
    /// with ones (exact while no pair sum leaves Int16, as for the kernels' operands: one
    /// side at most 127 or 15 in magnitude, the other at most 128).
    @inline(__always)
    static func dotBytes(unsigned u: SIMD32<UInt8>, signed s: SIMD32<Int8>) -> SIMD8<Int32> {
        #if RETORT_AVX512_VNNI
        unsafeBitCast(Builtin.int_x86_avx512_vpdpbusd_256(Builtin.zeroInitializer(),
                                                           unsafeBitCast(u, to: Builtin.Vec8xInt32.self),
                                                           unsafeBitCast(s, to: Builtin.Vec8xInt32.self)),
                      to: SIMD8<Int32>.self)
        #else
        multiplyAddPairs(multiplyAddPairs(unsigned: u, signed: s), SIMD16(repeating: 1))
        #endif
    }
}
#endif
