import COpenBLAS

/// A frozen linear layer with a low-rank adapter (Hu et al., LoRA; PEFT `lora.Linear`):
/// `y = x·Wᵀ + s · (x·Aᵀ)·Bᵀ`, s = alpha / rank, A (r, K), B (N, r). B starts at zero, so
/// the adapted layer starts equal to the base. Merged for serving as `W' = W + s·B·A`.
public enum LoRALinear {
    /// The adapter's scale `alpha / rank`.
    public static func scale(rank: Int, alpha: Float) -> Float { alpha / Float(rank) }

    /// `out = input·Wᵀ + s·hidden·Bᵀ` with `hidden = input·Aᵀ` kept for the backward pass.
    /// - Parameters:
    ///   - out: (T, N)
    ///   - hidden: (T, r), written
    ///   - input: (T, K)
    ///   - weight: (N, K) frozen base
    ///   - down: A, (r, K)
    ///   - up: B, (N, r)
    public static func forward(out: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                               input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               down: UnsafePointer<Float>, up: UnsafePointer<Float>,
                               rows: Int, inputs: Int, outputs: Int, rank: Int, scale: Float) {
        Linear.forward(out: out, input: input, weight: weight, rows: rows, inputs: inputs, outputs: outputs)
        Linear.forward(out: hidden, input: input, weight: down, rows: rows, inputs: inputs, outputs: rank)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(rank),
                    scale, hidden, Int32(rank), up, Int32(rank), 1, out, Int32(outputs))
    }

    /// `dB += s·dYᵀ·hidden`, `dHidden = s·dY·B`, `dA += dHiddenᵀ·input`,
    /// `dInput += dY·W + dHidden·A`. The base weight gets no gradient.
    /// - Parameters:
    ///   - inputGradient: (T, K), accumulated into; `nil` when not needed
    ///   - downGradient: (r, K), accumulated into
    ///   - upGradient: (N, r), accumulated into
    ///   - hiddenGradient: (T, r) scratch, written
    ///   - outGradient: (T, N)
    ///   - input, weight, down, up, hidden: as in `forward`
    public static func backward(inputGradient: UnsafeMutablePointer<Float>?, downGradient: UnsafeMutablePointer<Float>,
                                upGradient: UnsafeMutablePointer<Float>, hiddenGradient: UnsafeMutablePointer<Float>,
                                outGradient: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, down: UnsafePointer<Float>, up: UnsafePointer<Float>,
                                hidden: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int, rank: Int,
                                scale: Float) {
        // dB (N, r) += s · dYᵀ (N, T) · hidden (T, r)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(outputs), Int32(rank), Int32(rows),
                    scale, outGradient, Int32(outputs), hidden, Int32(rank), 1, upGradient, Int32(rank))
        // dHidden (T, r) = s · dY (T, N) · B (N, r)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(rank), Int32(outputs),
                    scale, outGradient, Int32(outputs), up, Int32(rank), 0, hiddenGradient, Int32(rank))
        Linear.backward(inputGradient: inputGradient, weightGradient: downGradient, outGradient: hiddenGradient,
                        input: input, weight: down, rows: rows, inputs: inputs, outputs: rank)
        Linear.backward(inputGradient: inputGradient, weightGradient: nil, outGradient: outGradient,
                        input: input, weight: weight, rows: rows, inputs: inputs, outputs: outputs)
    }

    /// Folds the adapter into the base weight: `weight += s · B · A`.
    /// - Parameters:
    ///   - weight: (N, K), updated
    ///   - down: A, (r, K)
    ///   - up: B, (N, r)
    public static func merge(weight: UnsafeMutablePointer<Float>, down: UnsafePointer<Float>, up: UnsafePointer<Float>,
                             inputs: Int, outputs: Int, rank: Int, scale: Float) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outputs), Int32(inputs), Int32(rank),
                    scale, up, Int32(rank), down, Int32(inputs), 1, weight, Int32(inputs))
    }
}
