import Engine

/// RMSNorm per row: `out[t] = x[t] · r[t] · weight`, with `r[t] = 1 / sqrt(mean(x[t]²) + ε)`.
/// Rows (and, for the weight gradient, channels) are split over `threads`.
public enum RMSNorm {
    /// Normalizes each row and keeps `r[t]` for the backward pass.
    /// - Parameters:
    ///   - out: (T, C)
    ///   - inverseRMS: (T), written: r[t]
    ///   - x: (T, C)
    ///   - weight: (C)
    public static func forward(out: UnsafeMutablePointer<Float>, inverseRMS: UnsafeMutablePointer<Float>,
                               x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows: Int, channels: Int, epsilon: Float, threads: Int = 1) {
        let (out, inverseRMS, x, weight) = (Disjoint(out), Disjoint(inverseRMS), Disjoint(x), Disjoint(weight))
        Parallel.forEach(rows, threads: threads, minimumPerThread: 16) { range in
            for t in range {
                let row = x.value + t * channels
                let sumSquares = VectorMath.dot(row, row, count: channels)
                let scale = 1 / (sumSquares / Float(channels) + epsilon).squareRoot()
                inverseRMS.value[t] = scale
                VectorMath.scaledProduct(out.value + t * channels, row, weight.value, scale: scale, count: channels)
            }
        }
    }

    /// `dx = r·(dy∘w) − r³/C · x · Σ(dy∘w∘x)`, `dw += Σ_t dy∘x·r`.
    /// - Parameters:
    ///   - xGradient: (T, C), accumulated into (the residual stream's gradient)
    ///   - weightGradient: (C), accumulated into; `nil` for a frozen weight
    ///   - outGradient: (T, C)
    ///   - x: (T, C) the forward input
    ///   - weight: (C)
    ///   - inverseRMS: (T) from `forward`
    public static func backward(xGradient: UnsafeMutablePointer<Float>, weightGradient: UnsafeMutablePointer<Float>?,
                                outGradient: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, inverseRMS: UnsafePointer<Float>,
                                rows: Int, channels: Int, threads: Int = 1) {
        let (dx, dy, x, weight, r) = (Disjoint(xGradient), Disjoint(outGradient), Disjoint(x),
                                      Disjoint(weight), Disjoint(inverseRMS))
        if let weightGradient {
            let dw = Disjoint(weightGradient)
            Parallel.forEach(channels / 8, threads: threads, minimumPerThread: 8) { blocks in
                weightGradientColumns(dw.value, dy.value, x.value, r.value,
                                      columns: (blocks.lowerBound * 8)..<(blocks.upperBound * 8), rows: rows, channels: channels)
            }
            weightGradientColumns(weightGradient, outGradient, x.value, inverseRMS,
                                  columns: (channels / 8 * 8)..<channels, rows: rows, channels: channels)
        }
        Parallel.forEach(rows, threads: threads, minimumPerThread: 16) { range in
            for t in range {
                let row = x.value + t * channels, gradient = dy.value + t * channels, scale = r.value[t]
                let dot = VectorMath.dot(gradient, weight.value, row, count: channels)
                let correction = scale * scale * scale * dot / Float(channels)
                VectorMath.addNormBackward(dx.value + t * channels, gradient, weight.value, row, scale: scale,
                                           correction: correction, count: channels)
            }
        }
    }

    /// `dw[c] += Σ_t dy[t, c]·x[t, c]·r[t]` for the channels in `columns` (multiples of 8, or the tail).
    private static func weightGradientColumns(_ dw: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                              _ x: UnsafePointer<Float>, _ r: UnsafePointer<Float>,
                                              columns: Range<Int>, rows: Int, channels: Int) {
        var c = columns.lowerBound
        while c + 8 <= columns.upperBound {
            var sum = SIMD8<Float>()
            for t in 0..<rows {
                sum += VectorMath.load(dy + t * channels + c) * VectorMath.load(x + t * channels + c) * r[t]
            }
            VectorMath.store(VectorMath.load(dw + c) + sum, dw + c)
            c += 8
        }
        while c < columns.upperBound {
            var sum: Float = 0
            for t in 0..<rows { sum += dy[t * channels + c] * x[t * channels + c] * r[t] }
            dw[c] += sum
            c += 1
        }
    }
}
