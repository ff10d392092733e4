import Dispatch

/// An activation vector quantized to Q8 blocks of 32, for the integer dot kernel.
/// Owned by a session and reused for every matvec.
public final class Q8Activation {
    /// Capacity in elements (a multiple of 32).
    public let capacity: Int
    /// (K) int8 quants.
    let quants: UnsafeMutablePointer<Int8>
    /// (K/32) scales.
    let scales: UnsafeMutablePointer<Float>
    /// (K) the quants sign-extended to int16, per 16 elements: the 8 even ones, then the
    /// 8 odd ones, the lane order the dot kernel produces on the weight side.
    let expanded: UnsafeMutablePointer<Int16>
    /// (K/32) scale · Σ quants per block, for kernels whose weights carry an offset (Q4_1).
    let sums: UnsafeMutablePointer<Float>

    /// Allocates room for vectors of up to `capacity` elements.
    public init(capacity: Int) {
        self.capacity = (capacity + 31) / 32 * 32
        quants = .allocate(capacity: self.capacity)
        scales = .allocate(capacity: self.capacity / 32)
        expanded = .allocate(capacity: self.capacity)
        sums = .allocate(capacity: self.capacity / 32)
    }

    deinit {
        quants.deallocate()
        scales.deallocate()
        expanded.deallocate()
        sums.deallocate()
    }

    /// Quantizes `x` (count, a multiple of 32): scale = max|x|/127 per block, each value
    /// rounded half away from zero (`Quantize.roundToInt8`'s rule, NaN to 0), 16 lanes at a time.
    public func quantize(_ x: UnsafePointer<Float>, count: Int) {
        precondition(count % 32 == 0 && count <= capacity)
        for block in 0..<(count / 32) {
            let source = UnsafeRawPointer(x + 32 * block)
            let halves = (source.loadUnaligned(as: SIMD16<Float>.self),
                          source.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            let amax = Swift.max(Self.largestMagnitude(halves.0), Self.largestMagnitude(halves.1))
            let scale = amax / 127
            let inverse: Float = scale == 0 ? 0 : 1 / scale
            scales[block] = scale
            var total: Int32 = 0
            for index in 0..<2 {
                let q = Self.rounded((index == 0 ? halves.0 : halves.1) * inverse)
                total &+= q.wrappedSum()
                UnsafeMutableRawPointer(quants + 32 * block + 16 * index)
                    .storeBytes(of: SIMD16<Int8>(truncatingIfNeeded: q), as: SIMD16<Int8>.self)
                let wide = SIMD16<Int16>(truncatingIfNeeded: q)
                UnsafeMutableRawPointer(expanded + 32 * block + 16 * index)
                    .storeBytes(of: SIMD16(lowHalf: wide.evenHalf, highHalf: wide.oddHalf), as: SIMD16<Int16>.self)
            }
            sums[block] = scale * Float(total)
        }
    }

    /// max |v| over the lanes, NaN lanes ignored.
    @inline(__always)
    private static func largestMagnitude(_ v: SIMD16<Float>) -> Float {
        let magnitude = v.replacing(with: -v, where: v .< 0)
        return magnitude.replacing(with: 0, where: .!(magnitude .>= 0)).max()
    }

    /// `Quantize.roundToInt8` on 16 lanes: NaN to 0, clamp to ±127, half away from zero.
    @inline(__always)
    private static func rounded(_ v: SIMD16<Float>) -> SIMD16<Int32> {
        let clean = v.replacing(with: 0, where: v .!= v)
        let clamped = clean.clamped(lowerBound: SIMD16(repeating: -127), upperBound: SIMD16(repeating: 127))
        let half = SIMD16<Float>(repeating: 0.5).replacing(with: -0.5, where: clamped .< 0)
        return SIMD16<Int32>(clamped + half, rounding: .towardZero)
    }
}

extension Q8Matrix {
    /// Fewest rows worth a second thread in the integer kernel. With the spinning worker
    /// pool every decode matvec splits; waking Dispatch workers costs more than the
    /// smaller ones save (measured on 2 cores: then only the LM head splits).
    static let rowsPerThread = Parallel.usesPool ? 64 : 8192

    /// `out = W · x (+ out if accumulate)` with x quantized to Q8: the decode kernel.
    /// Rows are split over `threads` workers.
    /// - Parameters:
    ///   - out: (N)
    ///   - x: (K) quantized
    public func matvec(out: UnsafeMutablePointer<Float>, x: Q8Activation, accumulate: Bool = false, threads: Int) {
        precondition(x.capacity >= columns)
        let blocks = blocksPerRow, columns = columns
        let (weights, weightScales) = (Disjoint(quants), Disjoint(scales))
        let (input, inputScales, target) = (Disjoint(x.expanded), Disjoint(x.scales), Disjoint(out))
        Parallel.ranges(rows, threads: threads, minimumPerThread: Self.rowsPerThread) { start, end in
            for row in start..<end {
                let sum = Self.rowDot(weights.value + row * columns, weightScales.value + row * blocks,
                                      input.value, inputScales.value, blocks)
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
        Parallel.ranges(rows, threads: threads) { start, end in
            let x = input.value
            for row in start..<end {
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
    /// SSE2-friendly: weight bytes are sign-extended in place inside 16-bit lanes (even
    /// bytes by a shift left then an arithmetic shift right, odd bytes by an arithmetic
    /// shift) and multiplied with the activation pre-expanded in the same lane order. The
    /// widen-multiply-add-adjacent-pairs pattern below compiles to `pmaddwd`.
    @inline(__always)
    static func rowDot(
        _ weights: UnsafePointer<Int8>, _ weightScales: UnsafePointer<Float>,
        _ activation: UnsafePointer<Int16>, _ activationScales: UnsafePointer<Float>, _ blocks: Int
    ) -> Float {
        var acc = SIMD4<Float>()
        for block in 0..<blocks {
            let w = UnsafeRawPointer(weights + 32 * block), a = UnsafeRawPointer(activation + 32 * block)
            var sum = SIMD4<Int32>()
            for half in 0..<2 {
                let x = w.loadUnaligned(fromByteOffset: 16 * half, as: SIMD8<Int16>.self)
                let even = a.loadUnaligned(fromByteOffset: 32 * half, as: SIMD8<Int16>.self)
                let odd = a.loadUnaligned(fromByteOffset: 32 * half + 16, as: SIMD8<Int16>.self)
                let evenProducts = SIMD8<Int32>(truncatingIfNeeded: (x &<< 8) &>> 8) &* SIMD8<Int32>(truncatingIfNeeded: even)
                let oddProducts = SIMD8<Int32>(truncatingIfNeeded: x &>> 8) &* SIMD8<Int32>(truncatingIfNeeded: odd)
                sum &+= (evenProducts.evenHalf &+ evenProducts.oddHalf) &+ (oddProducts.evenHalf &+ oddProducts.oddHalf)
            }
            acc += SIMD4<Float>(sum) * (weightScales[block] * activationScales[block])
        }
        return acc.sum()
    }
}
