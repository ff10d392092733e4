/// Vectorized elementwise kernels for the hot non-GEMM loops of the engine and the
/// trainer (softmax over attention rows and the vocabulary, SwiGLU, norms), eight lanes at
/// a time; `exp` is checked against libm in the tests. `@inlinable` so the trainer's loops
/// inline them across the module boundary.
public enum VectorMath {
    /// eˣ on eight lanes: with n = round(x·log₂e) and r = x − n·ln2 (|r| ≤ ln2/2, ln2 split
    /// in two so r stays exact), eˣ = 2ⁿ·eʳ, eʳ by its degree-7 Taylor polynomial (relative
    /// error < 1e-7 on that interval), 2ⁿ put into the exponent bits. Rounding adds
    /// 1.5·2²³, which leaves n in the low mantissa bits (no float-to-int conversion).
    /// Inputs are clamped to [−87, 88] so the result stays a normal float (e⁻⁸⁷ stands in for 0).
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let clamped = x.replacing(with: -87, where: .!(x .>= -87)).replacing(with: 88, where: x .> 88)
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = clamped - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-6
        var p = r * (1.0 / 5040) + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// The largest of `x[0 ..< count]`.
    @inlinable
    public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: -.infinity), i = 0
        while i + 8 <= count {
            let values = load(x + i)
            lanes.replace(with: values, where: values .> lanes)
            i += 8
        }
        var result = lanes.max()
        while i < count { result = max(result, x[i]); i += 1 }
        return result
    }

    /// Σ exp(x[i] − shift) over `count` floats.
    @inlinable
    public static func sumOfExponentials(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            lanes += exp(load(x + i) - shift)
            i += 8
        }
        var tail = SIMD8<Float>(repeating: -.infinity)
        for lane in 0..<(count - i) { tail[lane] = x[i + lane] - shift }
        return (lanes + exp(tail).replacing(with: 0, where: tail .== -.infinity)).sum()
    }

    /// `x[i] = scale · exp(x[i] − shift)` in place over `count` floats.
    @inlinable
    public static func scaledExponentials(_ x: UnsafeMutablePointer<Float>, count: Int, shift: Float, scale: Float) {
        var i = 0
        while i + 8 <= count {
            store(scale * exp(load(x + i) - shift), x + i)
            i += 8
        }
        while i < count {
            x[i] = scale * exp(SIMD8(repeating: x[i] - shift))[0]
            i += 1
        }
    }

    /// Σ a[i]·b[i] over `count` floats, in eight float lanes.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            lanes += load(a + i) * load(b + i)
            i += 8
        }
        var sum = lanes.sum()
        while i < count { sum += a[i] * b[i]; i += 1 }
        return sum
    }

    /// Σ a[i]·b[i]·c[i] over `count` floats, in eight float lanes.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                           count: Int) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            lanes += load(a + i) * load(b + i) * load(c + i)
            i += 8
        }
        var sum = lanes.sum()
        while i < count { sum += a[i] * b[i] * c[i]; i += 1 }
        return sum
    }

    @inlinable @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inlinable @inline(__always)
    public static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// In-place softmax of `x[0 ..< count]`: one pass for the maximum, one that stores the
    /// exponentials and sums them, one that scales.
    @inlinable
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let shift = maximum(x, count: count)
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            let e = exp(load(x + i) - shift)
            store(e, x + i)
            lanes += e
            i += 8
        }
        var sum = lanes.sum()
        while i < count {
            x[i] = exp(SIMD8(repeating: x[i] - shift))[0]
            sum += x[i]
            i += 1
        }
        let inverse = 1 / sum
        i = 0
        while i + 8 <= count {
            store(load(x + i) * inverse, x + i)
            i += 8
        }
        while i < count { x[i] *= inverse; i += 1 }
    }

    /// SwiGLU: `out[i] = silu(gate[i]) · up[i]` with `silu(g) = g / (1 + e⁻ᵍ)`, over `count` floats.
    @inlinable
    public static func swiGLU(out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                              count: Int) {
        var i = 0
        while i + 8 <= count {
            let g = load(gate + i)
            store(g / (1 + exp(-g)) * load(up + i), out + i)
            i += 8
        }
        while i < count {
            let g = SIMD8<Float>(repeating: gate[i])
            out[i] = (g / (1 + exp(-g)))[0] * up[i]
            i += 1
        }
    }
}
