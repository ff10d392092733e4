import COpenBLAS

/// Thin wrappers over OpenBLAS, each beside a naive reference kernel that tests compare
/// it against. Row-major throughout; shapes are given as (rows, columns).
public enum Blas {
    /// Sets the number of OpenBLAS threads (process-wide).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// `out = input · weightᵀ (+ out if accumulate)`: a batch of T rows through a linear
    /// layer stored as PyTorch's `Linear.weight`.
    /// - Parameters:
    ///   - out: (T, N), row stride `outStride` (≥ N)
    ///   - input: (T, K), row stride `inputStride` (≥ K)
    ///   - weight: (N, K), row stride `weightStride` (≥ K)
    ///   - scale: multiplies the product (cblas `alpha`)
    public static func matmulTransposed(
        out: UnsafeMutablePointer<Float>, outStride: Int? = nil,
        input: UnsafePointer<Float>, inputStride: Int? = nil,
        weight: UnsafePointer<Float>, weightStride: Int? = nil, rows: Int, inner: Int, outputs: Int,
        accumulate: Bool = false, scale: Float = 1
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            Int32(rows), Int32(outputs), Int32(inner),
            scale, input, Int32(inputStride ?? inner), weight, Int32(weightStride ?? inner),
            accumulate ? 1 : 0, out, Int32(outStride ?? outputs))
    }

    /// Naive reference for `matmulTransposed` (same arguments, contiguous rows).
    public static func naiveMatmulTransposed(
        out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows: Int, inner: Int, outputs: Int, accumulate: Bool = false
    ) {
        for t in 0..<rows {
            for n in 0..<outputs {
                var sum: Double = 0
                for k in 0..<inner { sum += Double(input[t * inner + k]) * Double(weight[n * inner + k]) }
                out[t * outputs + n] = (accumulate ? out[t * outputs + n] : 0) + Float(sum)
            }
        }
    }

    /// `out = a · b (+ out if accumulate)`, plain matrix product.
    /// - Parameters:
    ///   - out: (M, N), row stride `outStride`
    ///   - a: (M, K), row stride `aStride`
    ///   - b: (K, N), row stride `bStride`
    public static func matmul(
        out: UnsafeMutablePointer<Float>, outStride: Int,
        a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>, bStride: Int,
        m: Int, k: Int, n: Int, accumulate: Bool = false
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
            1, a, Int32(aStride), b, Int32(bStride), accumulate ? 1 : 0, out, Int32(outStride))
    }

    /// Naive reference for `matmul` with contiguous rows.
    public static func naiveMatmul(
        out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, m: Int, k: Int, n: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Double = 0
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
                out[i * n + j] = Float(sum)
            }
        }
    }

    /// `out = weight · x (+ out if accumulate)`: one vector through a linear layer.
    /// - Parameters:
    ///   - out: (N)
    ///   - weight: (N, K)
    ///   - x: (K)
    public static func matvec(
        out: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, x: UnsafePointer<Float>,
        outputs: Int, inner: Int, accumulate: Bool = false
    ) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(outputs), Int32(inner), 1, weight, Int32(inner),
                    x, 1, accumulate ? 1 : 0, out, 1)
    }
}
