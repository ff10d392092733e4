import Foundation

/// Elementwise and row-wise operations of the Llama forward pass.
enum Ops {
    /// RMSNorm per row: `out[t] = x[t] / sqrt(mean(x[t]²) + eps) * weight` (facts §2.4).
    /// - Parameters:
    ///   - out: (T, C)
    ///   - x: (T, C)
    ///   - weight: (C)
    static func rmsNorm(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        rows: Int, channels: Int, epsilon: Float) {
        for t in 0..<rows {
            let row = x + t * channels, target = out + t * channels
            var sumSquares: Float = 0
            for c in 0..<channels { sumSquares += row[c] * row[c] }
            let scale = 1 / (sumSquares / Float(channels) + epsilon).squareRoot()
            for c in 0..<channels { target[c] = row[c] * scale * weight[c] }
        }
    }

    /// Fills the RoPE tables for positions `startPosition ..< startPosition + T`:
    /// angle(t, i) = pos · base^(-2i/headDim), computed in double precision.
    /// - Parameters:
    ///   - cosines: (T, headDim / 2)
    ///   - sines: (T, headDim / 2)
    static func ropeTables(cosines: UnsafeMutablePointer<Float>, sines: UnsafeMutablePointer<Float>,
                           rows: Int, headDim: Int, startPosition: Int, base: Float) {
        let half = headDim / 2
        for t in 0..<rows {
            for i in 0..<half {
                let angle = Double(startPosition + t) * pow(Double(base), -2 * Double(i) / Double(headDim))
                cosines[t * half + i] = Float(cos(angle))
                sines[t * half + i] = Float(sin(angle))
            }
        }
    }

    /// RoPE on adjacent pairs (x[2i], x[2i+1]), the GGUF `llama` layout (facts §2.4,
    /// LLAMA_ROPE_TYPE_NORM).
    /// - Parameters:
    ///   - x: (T, heads · headDim), row stride `stride`
    ///   - cosines: (T, headDim / 2) from `ropeTables`
    ///   - sines: (T, headDim / 2)
    static func rope(_ x: UnsafeMutablePointer<Float>, stride: Int, rows: Int, heads: Int, headDim: Int,
                     cosines: UnsafePointer<Float>, sines: UnsafePointer<Float>) {
        let half = headDim / 2
        for t in 0..<rows {
            for head in 0..<heads {
                let vector = x + t * stride + head * headDim
                for i in 0..<half {
                    let cosine = cosines[t * half + i], sine = sines[t * half + i]
                    let a = vector[2 * i], b = vector[2 * i + 1]
                    vector[2 * i] = a * cosine - b * sine
                    vector[2 * i + 1] = a * sine + b * cosine
                }
            }
        }
    }

    /// `out += x`, elementwise.
    static func add(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] += x[i] }
    }
}
