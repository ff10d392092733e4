import Engine
import Foundation

/// Rotary position embedding on adjacent pairs `(x[2i], x[2i+1])` of each head, the GGUF
/// `llama` layout that `Engine` applies (LLAMA_ROPE_TYPE_NORM): pair i of position t turns
/// by θ(t, i) = t · base^(−2i / headDim).
public enum RoPE {
    /// Fills the tables for positions `0 ..< T`, angles computed in Double.
    /// - Parameters:
    ///   - cosines: (T, headDim / 2)
    ///   - sines: (T, headDim / 2)
    public static func tables(cosines: UnsafeMutablePointer<Float>, sines: UnsafeMutablePointer<Float>,
                              rows: Int, headDim: Int, base: Float) {
        let half = headDim / 2
        for t in 0..<rows {
            for i in 0..<half {
                let angle = Double(t) * pow(Double(base), -2 * Double(i) / Double(headDim))
                cosines[t * half + i] = Float(cos(angle))
                sines[t * half + i] = Float(sin(angle))
            }
        }
    }

    /// Rotates every head of every row by +θ, in place.
    /// - Parameters:
    ///   - x: (T, heads · headDim)
    ///   - cosines: (T, headDim / 2) from `tables`
    ///   - sines: (T, headDim / 2)
    ///   - threads: workers the rows are split over
    public static func forward(_ x: UnsafeMutablePointer<Float>, cosines: UnsafePointer<Float>,
                               sines: UnsafePointer<Float>, rows: Int, heads: Int, headDim: Int, threads: Int = 1) {
        rotate(x, cosines: cosines, sines: sines, sineSign: 1, rows: rows, heads: heads, headDim: headDim,
               threads: threads)
    }

    /// The rotation is orthogonal, so its backward is the rotation by −θ, in place on the gradient.
    /// - Parameters:
    ///   - gradient: (T, heads · headDim): dL/d(out) in, dL/d(x) out
    ///   - cosines: (T, headDim / 2)
    ///   - sines: (T, headDim / 2)
    ///   - threads: workers the rows are split over
    public static func backward(_ gradient: UnsafeMutablePointer<Float>, cosines: UnsafePointer<Float>,
                                sines: UnsafePointer<Float>, rows: Int, heads: Int, headDim: Int, threads: Int = 1) {
        rotate(gradient, cosines: cosines, sines: sines, sineSign: -1, rows: rows, heads: heads, headDim: headDim,
               threads: threads)
    }

    private static func rotate(_ x: UnsafeMutablePointer<Float>, cosines: UnsafePointer<Float>,
                               sines: UnsafePointer<Float>, sineSign: Float, rows: Int, heads: Int, headDim: Int,
                               threads: Int) {
        let half = headDim / 2
        let (x, cosines, sines) = (Disjoint(x), Disjoint(cosines), Disjoint(sines))
        Parallel.forEach(rows, threads: threads, minimumPerThread: 16) { range in
            for t in range {
                let cosine = cosines.value + t * half, sine = sines.value + t * half
                for head in 0..<heads {
                    let vector = x.value + (t * heads + head) * headDim
                    for i in 0..<half {
                        let (c, s) = (cosine[i], sineSign * sine[i])
                        let a = vector[2 * i], b = vector[2 * i + 1]
                        vector[2 * i] = a * c - b * s
                        vector[2 * i + 1] = a * s + b * c
                    }
                }
            }
        }
    }
}
