import Dispatch

/// An activation vector quantized to Q8 blocks of 32, for the integer dot kernel.
/// Owned by a session and reused for every matvec.
public final class Q8Activation {
    /// Capacity in elements (a multiple of 32).
    public let capacity: Int
    /// (K/32) scales.
    let scales: UnsafeMutablePointer<Float>
    /// (K) the quants in order, for the tier kernels (`DecodeKernel.avx2`).
    let quants: UnsafeMutablePointer<Int8>
    /// (K) the quants sign-extended to int16, per block of 32: the 16 even elements, then
    /// the 16 odd ones, the lane order the portable kernels produce on the weight side.
    let expanded: UnsafeMutablePointer<Int16>
    /// (K/32) scale · Σ quants per block, for kernels whose weights carry an offset (Q4_1).
    let sums: UnsafeMutablePointer<Float>

    /// Allocates room for vectors of up to `capacity` elements.
    public init(capacity: Int) {
        self.capacity = (capacity + 31) / 32 * 32
        scales = .allocate(capacity: self.capacity / 32)
        quants = .allocate(capacity: self.capacity)
        expanded = .allocate(capacity: self.capacity)
        sums = .allocate(capacity: self.capacity / 32)
    }

    deinit {
        scales.deallocate()
        quants.deallocate()
        expanded.deallocate()
        sums.deallocate()
    }

    /// Quantizes `x` (count, a multiple of 32) into the copies the kernels read: scale =
    /// max|x|/127 per block, each value rounded half away from zero (`Quantize.roundToInt8`'s
    /// rule, NaN to 0), 16 lanes at a time.
    public func quantize(_ x: UnsafePointer<Float>, count: Int) {
        precondition(count % 32 == 0 && count <= capacity)
        for block in 0..<(count / 32) {
            let source = UnsafeRawPointer(x + 32 * block)
            let halves = (source.loadUnaligned(as: SIMD16<Float>.self),
                          source.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            let magnitudes = (Self.magnitude(halves.0), Self.magnitude(halves.1))
            let amax = Self.largestLane(magnitudes.0, magnitudes.1)
            let scale = amax / 127
            let inverse: Float = scale == 0 ? 0 : 1 / scale
            scales[block] = scale
            let q = (Self.rounded(magnitudes.0 * inverse, negative: halves.0 .< 0),
                     Self.rounded(magnitudes.1 * inverse, negative: halves.1 .< 0))
            let even = SIMD16(lowHalf: SIMD8<Int16>(truncatingIfNeeded: q.0.evenHalf),
                              highHalf: SIMD8<Int16>(truncatingIfNeeded: q.1.evenHalf))
            let odd = SIMD16(lowHalf: SIMD8<Int16>(truncatingIfNeeded: q.0.oddHalf),
                             highHalf: SIMD8<Int16>(truncatingIfNeeded: q.1.oddHalf))
            let bytes = UnsafeMutableRawPointer(quants + 32 * block)
            bytes.storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: q.0.lowHalf), as: SIMD8<Int8>.self)
            bytes.storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: q.0.highHalf), toByteOffset: 8, as: SIMD8<Int8>.self)
            bytes.storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: q.1.lowHalf), toByteOffset: 16, as: SIMD8<Int8>.self)
            bytes.storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: q.1.highHalf), toByteOffset: 24, as: SIMD8<Int8>.self)
            let wide = UnsafeMutableRawPointer(expanded + 32 * block)
            wide.storeBytes(of: even, as: SIMD16<Int16>.self)
            wide.storeBytes(of: odd, toByteOffset: 32, as: SIMD16<Int16>.self)
            let sum16 = q.0 &+ q.1, sum8 = sum16.lowHalf &+ sum16.highHalf, sum4 = sum8.lowHalf &+ sum8.highHalf
            let total = (sum4[0] &+ sum4[1]) &+ (sum4[2] &+ sum4[3])
            sums[block] = scale * Float(total)
        }
    }

    /// |v| per lane, NaN lanes as 0.
    @inline(__always)
    private static func magnitude(_ v: SIMD16<Float>) -> SIMD16<Float> {
        let magnitude = v.replacing(with: -v, where: v .< 0)
        return magnitude.replacing(with: 0, where: .!(magnitude .>= 0))
    }

    /// The largest lane of two vectors, by halving (the stdlib's `max()` walks lane by lane).
    @inline(__always)
    private static func largestLane(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> Float {
        let m16 = a.replacing(with: b, where: b .> a)
        let m8 = m16.lowHalf.replacing(with: m16.highHalf, where: m16.highHalf .> m16.lowHalf)
        let m4 = m8.lowHalf.replacing(with: m8.highHalf, where: m8.highHalf .> m8.lowHalf)
        return Swift.max(Swift.max(m4[0], m4[1]), Swift.max(m4[2], m4[3]))
    }

    /// `Quantize.roundToInt8` on 16 lanes, from the magnitudes (NaN already 0) and signs:
    /// clamp to 127, half away from zero. Written with masks and the 1.5·2²³ rounding
    /// constant only: the stdlib's generic float-to-int and `clamped` conversions are not
    /// inlined and cost more than the matvec.
    @inline(__always)
    private static func rounded(_ magnitude: SIMD16<Float>, negative: SIMDMask<SIMD16<Int32>>) -> SIMD16<Int32> {
        let a = magnitude.replacing(with: 127, where: magnitude .> 127) + 0.5
        let shifted = a + 12_582_912  // a rounded to the nearest integer, in the low mantissa bits
        var n = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        n = n.replacing(with: n &- 1, where: shifted - 12_582_912 .> a)  // round down instead: ⌊|v| + ½⌋
        return n.replacing(with: 0 &- n, where: negative)
    }
}

extension Q8Matrix {
    /// Fewest rows worth a second thread in the integer kernel. With the spinning worker
    /// pool every decode matvec splits; waking Dispatch workers costs more than the
    /// smaller ones save (measured on 2 cores: then only the LM head splits).
    static var rowsPerThread: Int { Parallel.usesWorkerPool ? 64 : 8192 }

    /// `out = W · x (+ out if accumulate)` with x quantized to Q8: the decode kernel.
    /// Rows are split over `threads` workers.
    /// - Parameters:
    ///   - out: (N)
    ///   - x: (K) quantized
    public func matvec(out: UnsafeMutablePointer<Float>, x: Q8Activation, accumulate: Bool, threads: Int,
                       kernel: DecodeKernel) {
        precondition(x.capacity >= columns)
        let blocks = blocksPerRow, columns = columns
        let (weights, weightScales) = (Disjoint(quants), Disjoint(scales))
        let input = Disjoint((x.quants, x.expanded, x.scales)), target = Disjoint(out)
        Parallel.forEach(rows, threads: threads, minimumPerThread: Self.rowsPerThread) { range in
            let (quants, expanded, inputScales) = input.value
            for row in range {
                let (w, s) = (weights.value + row * columns, weightScales.value + row * blocks)
                let sum: Float
                switch kernel {
                case .portable: sum = Self.rowDot(w, s, expanded, inputScales, blocks)
                case .avx2:
                    #if RETORT_AVX2
                    sum = Self.rowDotAVX2(w, s, quants, inputScales, blocks)
                    #else
                    preconditionFailure("the avx2 kernel is not built in")
                    #endif
                }
                target.value[row] = accumulate ? target.value[row] + sum : sum
            }
        }
    }

    /// `out = W · x` with f32 activations (weights dequantized on the fly): exact with
    /// respect to the stored weights; used for the LM head.
    /// - Parameters:
    ///   - out: (N)
    ///   - x: (K)
    public func matvec(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, threads: Int) {
        let blocks = blocksPerRow, columns = columns
        let (weights, weightScales) = (Disjoint(quants), Disjoint(scales))
        let (input, target) = (Disjoint(x), Disjoint(out))
        Parallel.forEach(rows, threads: threads, minimumPerThread: 64) { range in
            let x = input.value
            for row in range {
                let q = weights.value + row * columns, s = weightScales.value + row * blocks
                var total = SIMD4<Float>()
                for block in 0..<blocks {
                    // Plain multiply and add: the baseline x86-64 target has no FMA, and
                    // `addProduct` would call libm's fmaf per lane.
                    var acc = SIMD4<Float>()
                    let w = UnsafeRawPointer(q + 32 * block)
                    for part in 0..<2 {
                        let pair = w.loadUnaligned(fromByteOffset: 16 * part, as: SIMD8<Int16>.self)
                        let even = SIMD8<Float>((pair &<< 8) &>> 8), odd = SIMD8<Float>(pair &>> 8)
                        let a = UnsafeRawPointer(x + 32 * block + 16 * part).loadUnaligned(as: SIMD16<Float>.self)
                        let products = even * a.evenHalf + odd * a.oddHalf
                        acc += products.lowHalf + products.highHalf
                    }
                    total += acc * s[block]
                }
                target.value[row] = total.sum()
            }
        }
    }

    /// Naive reference: `out = dequantize(W) · x` in double precision.
    public func naiveMatvec(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>) {
        for row in 0..<rows {
            var sum: Double = 0
            for column in 0..<columns {
                let weight = Double(quants[row * columns + column]) * Double(scales[row * blocksPerRow + column / 32])
                sum += weight * Double(x[column])
            }
            out[row] = Float(sum)
        }
    }

    /// The dot product of one Q8 row with a Q8 activation, `blocks` blocks of 32.
    ///
    /// A block's 32 weight bytes load as sixteen 16-bit lanes and are sign-extended in
    /// place (even bytes by a shift left then an arithmetic shift right, odd bytes by an
    /// arithmetic shift), then multiplied with the activation pre-expanded in the same lane
    /// order. The widen-multiply-add-adjacent-pairs pattern compiles to `pmaddwd` (two
    /// 256-bit ones per block where AVX2 is enabled, four 128-bit ones on baseline x86-64).
    @inline(__always)
    static func rowDot(
        _ weights: UnsafePointer<Int8>, _ weightScales: UnsafePointer<Float>,
        _ activation: UnsafePointer<Int16>, _ activationScales: UnsafePointer<Float>, _ blocks: Int
    ) -> Float {
        var acc = SIMD8<Float>()
        for block in 0..<blocks {
            let x = UnsafeRawPointer(weights + 32 * block).loadUnaligned(as: SIMD16<Int16>.self)
            let a = UnsafeRawPointer(activation + 32 * block)
            let even = a.loadUnaligned(as: SIMD16<Int16>.self), odd = a.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self)
            let evenProducts = widen((x &<< 8) &>> 8) &* widen(even), oddProducts = widen(x &>> 8) &* widen(odd)
            let sum = (evenProducts.evenHalf &+ evenProducts.oddHalf) &+ (oddProducts.evenHalf &+ oddProducts.oddHalf)
            acc += SIMD8<Float>(sum) * (weightScales[block] * activationScales[block])
        }
        return acc.sum()
    }

    /// Sign-extends sixteen 16-bit lanes, as two eight-lane halves: the stdlib's 16-lane
    /// conversion is not inlined, the 8-lane one is (and the halves fuse into one `vpmovsxwd`).
    @inline(__always)
    static func widen(_ v: SIMD16<Int16>) -> SIMD16<Int32> {
        SIMD16(lowHalf: SIMD8<Int32>(truncatingIfNeeded: v.lowHalf), highHalf: SIMD8<Int32>(truncatingIfNeeded: v.highHalf))
    }
}
