import COpenBLAS
import Foundation

/// Process-wide OpenBLAS set-up, done once at the start of `main`.
extension Blas {
    /// OpenBLAS's helper threads wait for work by spinning on `sched_yield` for
    /// 2^`OPENBLAS_THREAD_TIMEOUT` cycles (default 2^28, about 0.1 s) after every call.
    /// Between two GEMMs the trainer and the engine run threaded sections of their own
    /// (attention, norms, SwiGLU, decode matvecs) whose second thread then shares a core with
    /// a spinner: on 2 cores a LoRA SFT step took 2.06 s with the default and 1.60–1.65 s
    /// with 2^6–2^14 (`retort bench train`, side by side). This sets the exponent as
    /// `OPENBLAS_THREAD_TIMEOUT`, has OpenBLAS read its settings again and stops its
    /// helpers, which the next threaded call starts again with the new timeout.
    ///
    /// The executable skips it when the user set `OPENBLAS_THREAD_TIMEOUT` (OpenBLAS has
    /// already read that value at load). A no-op where the library lacks these entry
    /// points (another BLAS, another build).
    ///
    /// - Warning: It calls `setenv`: call it first thing in `main`, while the process has one thread.
    public static func limitHelperSpinning(exponent: Int = 8) {
        guard let readSettings = symbol("openblas_read_env", as: (@convention(c) () -> Void).self),
              let stopHelpers = symbol("blas_thread_shutdown_", as: (@convention(c) () -> Int32).self) else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", String(exponent), 1)
        readSettings()
        _ = stopHelpers()
    }

    /// The kernel family OpenBLAS runs ("Haswell", "Cooperlake", …; `OPENBLAS_CORETYPE`
    /// overrides its own detection).
    public static var coreName: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// The helpers' spin budget as OpenBLAS currently reads it: the exponent, 0 for its default.
    public static var helperSpinExponent: Int {
        symbol("openblas_thread_timeout", as: (@convention(c) () -> Int32).self).map { Int($0()) } ?? 0
    }

    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if os(Linux)
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: type)
        #else
        return nil
        #endif
    }
}
