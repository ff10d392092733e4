import COpenBLAS

/// A linear layer without bias, `y = x · Wᵀ` with W stored as (outputs, inputs) like
/// PyTorch's `Linear.weight`, over OpenBLAS sgemm. `naiveForward` is the reference.
public enum Linear {
    /// `out = input · weightᵀ`.
    /// - Parameters:
    ///   - out: (T, N)
    ///   - input: (T, K)
    ///   - weight: (N, K)
    public static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs),
                    1, input, Int32(inputs), weight, Int32(inputs), 0, out, Int32(outputs))
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
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(inputs), Int32(outputs),
                        1, outGradient, Int32(outputs), weight, Int32(inputs), overwriteInputGradient ? 0 : 1,
                        inputGradient, Int32(inputs))
        }
        if let weightGradient {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(outputs), Int32(inputs), Int32(rows),
                        1, outGradient, Int32(outputs), input, Int32(inputs), 1, weightGradient, Int32(inputs))
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
