import Engine

/// The trainer's own elementwise kernels on `VectorMath`'s lanes.
extension VectorMath {
    /// `out[i] = a[i] · b[i] · scale` over `count` floats.
    @inline(__always)
    static func scaledProduct(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                              scale: Float, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(a + i) * load(b + i) * scale, out + i)
            i += 8
        }
        while i < count { out[i] = a[i] * scale * b[i]; i += 1 }
    }

    /// `target[i] += scale · dy[i] · w[i] − correction · x[i]`, RMSNorm's input gradient.
    @inline(__always)
    static func addNormBackward(_ target: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, scale: Float,
                                correction: Float, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(target + i) + scale * load(dy + i) * load(w + i) - correction * load(x + i), target + i)
            i += 8
        }
        while i < count { target[i] += scale * dy[i] * w[i] - correction * x[i]; i += 1 }
    }

    /// `out[i] = a[i] + b[i]` over `range` (out may alias a or b).
    @inline(__always)
    static func add(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                    range: Range<Int>) {
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            store(load(a + i) + load(b + i), out + i)
            i += 8
        }
        while i < range.upperBound { out[i] = a[i] + b[i]; i += 1 }
    }
}
