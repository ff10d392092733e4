import COpenBLAS

/// The one wrapper over OpenBLAS for the engine and the trainer, each routine beside a
/// naive reference kernel that tests compare it against. Row-major throughout; shapes
/// are (rows, columns); arguments go outputs first, then inputs, then sizes (llm.c's order).
public enum Blas {
    /// Sets the number of OpenBLAS threads (process-wide).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Runs `body` with OpenBLAS single-threaded, for GEMMs issued from inside a parallel
    /// section (threading each small call would oversubscribe the cores), then restores
    /// the thread count.
    public static func singleThreaded<Result>(_ body: () throws -> Result) rethrows -> Result {
        let previous = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        return try body()
    }

    /// `out = scale · op(a) · op(b) (+ out if accumulate)` over sgemm, where op(x) is x
    /// as stored or, when `aTransposed`/`bTransposed`, its transpose.
    /// - Parameters:
    ///   - out: (rows, columns), row stride `outStride` (≥ columns)
    ///   - a: op(a) is (rows, inner): stored (rows, inner), or (inner, rows) when
    ///     `aTransposed`; row stride `aStride` as stored
    ///   - b: op(b) is (inner, columns): stored (inner, columns), or (columns, inner) when
    ///     `bTransposed` (PyTorch's `Linear.weight`); row stride `bStride` as stored
    ///   - scale: multiplies the product (cblas `alpha`)
    ///   - accumulate: adds to `out` (cblas `beta` 1) instead of overwriting it (0)
    @inlinable
    public static func gemm(
        out: UnsafeMutablePointer<Float>, outStride: Int,
        a: UnsafePointer<Float>, aStride: Int, aTransposed: Bool = false,
        b: UnsafePointer<Float>, bStride: Int, bTransposed: Bool = false,
        rows: Int, columns: Int, inner: Int, scale: Float = 1, accumulate: Bool = false
    ) {
        cblas_sgemm(
            CblasRowMajor, aTransposed ? CblasTrans : CblasNoTrans, bTransposed ? CblasTrans : CblasNoTrans,
            Int32(rows), Int32(columns), Int32(inner), scale, a, Int32(aStride), b, Int32(bStride),
            accumulate ? 1 : 0, out, Int32(outStride))
    }

    /// Naive reference for `gemm` (same arguments), accumulated in Double.
    public static func naiveGemm(
        out: UnsafeMutablePointer<Float>, outStride: Int,
        a: UnsafePointer<Float>, aStride: Int, aTransposed: Bool = false,
        b: UnsafePointer<Float>, bStride: Int, bTransposed: Bool = false,
        rows: Int, columns: Int, inner: Int, scale: Float = 1, accumulate: Bool = false
    ) {
        for i in 0..<rows {
            for j in 0..<columns {
                var sum: Double = 0
                for p in 0..<inner {
                    let left = aTransposed ? a[p * aStride + i] : a[i * aStride + p]
                    let right = bTransposed ? b[j * bStride + p] : b[p * bStride + j]
                    sum += Double(left) * Double(right)
                }
                let target = out + i * outStride + j
                target.pointee = (accumulate ? target.pointee : 0) + scale * Float(sum)
            }
        }
    }

    /// `out = weight · x (+ out if accumulate)`: one vector through a linear layer (sgemv).
    /// `naiveGemm` with one row and `bTransposed` is its reference.
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
