import Engine

/// A linear layer without bias, `y = x · Wᵀ` with W stored as (outputs, inputs) like
/// PyTorch's `Linear.weight`, over `Blas.gemm`. `naiveForward` is the reference.
public enum Linear {
    /// `out = input · weightᵀ`.
    /// - Parameters:
    ///   - out: (T, N)
    ///   - input: (T, K)
    ///   - weight: (N, K)
    public static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
        Blas.gemm(out: out, outStride: outputs, a: input, aStride: inputs,
                  b: weight, bStride: inputs, bTransposed: true, rows: rows, columns: outputs, inner: inputs)
    }

    /// `inputGradient += outGradient · weight` and `weightGradient += outGradientᵀ · input`.
    /// Pass `nil` for a gradient that is not needed (a frozen weight, or the first layer's input).
    /// - Parameters:
    ///   - inputGradient: (T, K), accumulated into (overwritten when `overwriteInputGradient`)
    ///   - weightGradient: (N, K), accumulated into
    ///   - outGradient: (T, N)
    ///   - input: (T, K)
    ///   - weight: (N, K)
    public static func backward(inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?,
                                outGradient: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
                                overwriteInputGradient: Bool = false) {
        if let inputGradient {
            // dInput (T, K) (+)= dOut (T, N) · W (N, K)
            Blas.gemm(out: inputGradient, outStride: inputs, a: outGradient, aStride: outputs,
                      b: weight, bStride: inputs, rows: rows, columns: inputs, inner: outputs,
                      accumulate: !overwriteInputGradient)
        }
        if let weightGradient {
            // dW (N, K) += dOutᵀ (N, T) · input (T, K)
            Blas.gemm(out: weightGradient, outStride: inputs, a: outGradient, aStride: outputs, aTransposed: true,
                      b: input, bStride: inputs, rows: outputs, columns: inputs, inner: rows, accumulate: true)
        }
    }

    /// Naive reference for `forward`, accumulated in Double.
    public static func naiveForward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                    weight: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
        for t in 0..<rows {
            for n in 0..<outputs {
                var sum: Double = 0
                for k in 0..<inputs { sum += Double(input[t * inputs + k]) * Double(weight[n * inputs + k]) }
                out[t * outputs + n] = Float(sum)
            }
        }
    }

    /// Naive reference for `backward` (both gradients, accumulated), in Double.
    public static func naiveBackward(inputGradient: UnsafeMutablePointer<Float>, weightGradient: UnsafeMutablePointer<Float>,
                                     outGradient: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
        for t in 0..<rows {
            for k in 0..<inputs {
                var sum: Double = 0
                for n in 0..<outputs { sum += Double(outGradient[t * outputs + n]) * Double(weight[n * inputs + k]) }
                inputGradient[t * inputs + k] += Float(sum)
            }
        }
        for n in 0..<outputs {
            for k in 0..<inputs {
                var sum: Double = 0
                for t in 0..<rows { sum += Double(outGradient[t * outputs + n]) * Double(input[t * inputs + k]) }
                weightGradient[n * inputs + k] += Float(sum)
            }
        }
    }
}
