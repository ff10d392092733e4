import Engine

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
        // out (T, N) += s · hidden (T, r) · B (N, r)ᵀ
        Blas.gemm(out: out, outStride: outputs, a: hidden, aStride: rank, b: up, bStride: rank, bTransposed: true,
                  rows: rows, columns: outputs, inner: rank, scale: scale, accumulate: true)
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
        Blas.gemm(out: upGradient, outStride: rank, a: outGradient, aStride: outputs, aTransposed: true,
                  b: hidden, bStride: rank, rows: outputs, columns: rank, inner: rows, scale: scale, accumulate: true)
        // dHidden (T, r) = s · dY (T, N) · B (N, r)
        Blas.gemm(out: hiddenGradient, outStride: rank, a: outGradient, aStride: outputs, b: up, bStride: rank,
                  rows: rows, columns: rank, inner: outputs, scale: scale)
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
        // W (N, K) += s · B (N, r) · A (r, K)
        Blas.gemm(out: weight, outStride: inputs, a: up, aStride: rank, b: down, bStride: inputs,
                  rows: outputs, columns: inputs, inner: rank, scale: scale, accumulate: true)
    }
}
