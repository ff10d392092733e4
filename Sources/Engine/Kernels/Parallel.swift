import Dispatch
import Synchronization

/// The one parallel-for of the engine and the trainer.
///
/// `0 ..< count` is cut into contiguous ranges by one rule, ``range(part:of:count:)``:
/// part p of P gets `count·p/P ..< count·(p+1)/P`. The parts differ by at most one
/// item and none is empty while P ≤ count, whatever the ratio. Rounding the size up
/// instead (`⌈count/P⌉` per part, the engine's former rule) leaves the last parts short
/// or past the end (5 items in 4 parts: 2, 2, 1 and nothing). The trainer's sections
/// split exactly as before; the engine's decode matvecs into the same row counts
/// (their rows are multiples of the part count).
public enum Parallel {
    /// Whether parallel sections, the trainer's too, run on the persistent `WorkerPool`
    /// (true, the default) or on Dispatch (false). Set once at the start of `main`, before
    /// any section runs; the executables turn it off for `RETORT_ENGINE_POOL=0`.
    ///
    /// On the pool every decode matvec splits over both cores. On a 2-core AVX2 VM (AMD
    /// EPYC, family 25) with the byte kernels, q4_1 decode went from 52–56 to 65–79 tok/s
    /// idle, and with one competing busy process stayed level (52–59 against 57–61 tok/s),
    /// where llama.cpp's barrier-synchronised threads fell from 60 to 26; a training step was
    /// no slower (4.45–4.50 s against 4.6–5.0 s). Through Dispatch, waking a thread costs
    /// about what a small matvec does, so there only the LM head splits.
    public static var usesWorkerPool: Bool {
        get { workerPoolSetting.load(ordering: .relaxed) }
        set { workerPoolSetting.store(newValue, ordering: .relaxed) }
    }

    private static let workerPoolSetting = Atomic<Bool>(true)

    /// Part `part` of `parts` contiguous shares of `0 ..< count`: `count·part/parts ..<
    /// count·(part+1)/parts`, the rule every split here uses.
    @inlinable
    public static func range(part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    /// Runs `body(range)` over contiguous ranges that cover `0 ..< count` once, on up to
    /// `threads` threads, with at least `minimumPerThread` items per range (one range, on
    /// the caller's thread, when the work is too small to split). The body must write
    /// only what belongs to its own range.
    ///
    /// On Dispatch the ranges are the `min(threads, count / minimumPerThread)` parts of
    /// ``range(part:of:count:)``. On the `WorkerPool` (``usesWorkerPool``) they are
    /// finer, about `minimumPerThread` items each, claimed by whichever thread is free,
    /// so a helper the OS has not scheduled leaves its share to the others. Items of very
    /// uneven cost (tensors to load) go one per range with `threads: count`: each then
    /// goes to whichever thread is free.
    ///
    /// A body that calls OpenBLAS passes `callsBlas: true` and runs on Dispatch: OpenBLAS
    /// (0.3.21, pthreads) called at once from the caller and the pool's helper thread
    /// returned wrong products (the trainer's attention against the engine, on the tiny
    /// model: 2 % off), where from Dispatch's workers it is exact.
    @inlinable
    public static func forEach(_ count: Int, threads: Int, minimumPerThread: Int = 1, callsBlas: Bool = false,
                               _ body: @Sendable (Range<Int>) -> Void) {
        let parts = max(1, min(threads, count / max(1, minimumPerThread)))
        if parts == 1 { return body(0..<count) }
        run(count, parts: parts, minimumPerThread: max(1, minimumPerThread), onPool: usesWorkerPool && !callsBlas, body)
    }

    /// The threaded half of `forEach`, for `parts` ≥ 2.
    @usableFromInline
    static func run(_ count: Int, parts: Int, minimumPerThread: Int, onPool: Bool,
                    _ body: @Sendable (Range<Int>) -> Void) {
        if onPool {
            let chunks = min(count / minimumPerThread, WorkerPool.maximumChunks)
            if WorkerPool.shared.run(chunks: chunks, { body(range(part: $0, of: chunks, count: count)) }) { return }
        }
        // Dispatch, also when another session holds the pool.
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(range(part: part, of: parts, count: count))
        }
    }
}
