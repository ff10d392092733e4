import Dispatch

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
    /// Runs `body(start, end)` over `count` items split into at most `threads` ranges
    /// (one range, on the caller's thread, when the work is too small to split).
    static func ranges(_ count: Int, threads: Int, minimumPerThread: Int = 64,
                       _ body: @Sendable (Int, Int) -> Void) {
        let parts = max(1, min(threads, count / minimumPerThread))
        if parts == 1 { return body(0, count) }
        let chunk = (count + parts - 1) / parts
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(part * chunk, min(count, (part + 1) * chunk))
        }
    }
}
