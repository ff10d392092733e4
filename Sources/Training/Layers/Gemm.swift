import COpenBLAS

/// Whether a `gemm` operand is used as stored or transposed.
enum Transpose {
    /// As stored (row-major).
    case noTrans
    /// Transposed.
    case trans

    /// The CBLAS flag.
    var blas: CBLAS_TRANSPOSE { self == .noTrans ? CblasNoTrans : CblasTrans }
}

/// Row-major `c (m, n) = alpha · op(a) (m, k) · op(b) (k, n) + beta · c` over OpenBLAS
/// sgemm; `lda`, `ldb`, `ldc` are the row strides as stored.
@inline(__always)
func gemm(_ transposeA: Transpose, _ transposeB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
          _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
          _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transposeA.blas, transposeB.blas, Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
