/// RMSNorm per row: `out[t] = x[t] · r[t] · weight`, with `r[t] = 1 / sqrt(mean(x[t]²) + ε)`.
public enum RMSNorm {
    /// Normalizes each row and keeps `r[t]` for the backward pass.
    /// - Parameters:
    ///   - out: (T, C)
    ///   - inverseRMS: (T), written: r[t]
    ///   - x: (T, C)
    ///   - weight: (C)
    public static func forward(out: UnsafeMutablePointer<Float>, inverseRMS: UnsafeMutablePointer<Float>,
                               x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows: Int, channels: Int, epsilon: Float) {
        for t in 0..<rows {
            let row = x + t * channels, target = out + t * channels
            let sumSquares = VectorMath.dot(row, row, count: channels)
            let scale = 1 / (sumSquares / Float(channels) + epsilon).squareRoot()
            inverseRMS[t] = scale
            for c in 0..<channels { target[c] = row[c] * scale * weight[c] }
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
                                rows: Int, channels: Int) {
        for t in 0..<rows {
            let row = x + t * channels, gradient = outGradient + t * channels, target = xGradient + t * channels
            let scale = inverseRMS[t]
            let dot = VectorMath.dot(gradient, weight, row, count: channels)
            if let weightGradient {
                for c in 0..<channels { weightGradient[c] += gradient[c] * row[c] * scale }
            }
            let correction = scale * scale * scale * dot / Float(channels)
            for c in 0..<channels { target[c] += scale * gradient[c] * weight[c] - correction * row[c] }
        }
    }
}
