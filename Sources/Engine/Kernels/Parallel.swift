import Foundation

/// A value handed to parallel workers that each touch a disjoint part of it.
///
/// `@unchecked Sendable`: used only for pointers into buffers whose row ranges the
/// workers split between them, so no two threads write the same memory.
struct Disjoint<Value>: @unchecked Sendable {
    /// The wrapped pointer or buffer owner.
    let value: Value
    init(_ value: Value) { self.value = value }
}

enum Parallel {
    /// Whether parallel sections run on the persistent `WorkerPool` (`RETORT_ENGINE_POOL=1`)
    /// or on Dispatch (default). Opt-in: on the 2-core VM decode is bound by memory
    /// bandwidth (~20 GB/s of Q8 weights), so splitting every matvec bought about 5 % on a
    /// quiet machine (148–150 vs 137–145 tok/s) at twice the CPU and slowed a loaded one
    /// (69–77 vs 83–94 tok/s). Machines with more bandwidth than one core can pull may differ.
    static let usesPool = ProcessInfo.processInfo.environment["RETORT_ENGINE_POOL"] == "1"

    /// Runs `body(start, end)` over `count` items split into at most `threads` ranges
    /// (one range, on the caller's thread, when the work is too small to split).
    static func ranges(_ count: Int, threads: Int, minimumPerThread: Int = 64,
                       _ body: @Sendable (Int, Int) -> Void) {
        let parts = max(1, min(threads, count / minimumPerThread))
        if parts == 1 { return body(0, count) }
        let chunk = (count + parts - 1) / parts
        let pool = WorkerPool.shared
        if usesPool {
            let size = (count + min(count / minimumPerThread, WorkerPool.maximumChunks) - 1)
                / min(count / minimumPerThread, WorkerPool.maximumChunks)
            let chunks = (count + size - 1) / size
            if pool.run(chunks: chunks, { chunk in body(chunk * size, min(count, (chunk + 1) * size)) }) { return }
        }
        // Another session holds the pool (or more threads than cores were asked for).
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(part * chunk, min(count, (part + 1) * chunk))
        }
    }
}
