import Dispatch

/// A pointer handed to worker threads that write disjoint parts of its buffer.
struct SharedPointer<Element>: @unchecked Sendable {
    /// The buffer's start.
    let base: UnsafeMutablePointer<Element>

    /// Wraps a buffer the workers write.
    init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    /// Wraps a buffer the workers only read.
    init(_ base: UnsafePointer<Element>) { self.base = UnsafeMutablePointer(mutating: base) }
}

/// Splits `0 ..< count` into `threads` contiguous ranges run concurrently (inline when
/// one thread or little work). The body must touch only its own range's outputs.
func parallelRanges(_ count: Int, threads: Int, minimumPerThread: Int = 1, _ body: @Sendable (Range<Int>) -> Void) {
    let workers = max(1, min(threads, count / max(1, minimumPerThread)))
    guard workers > 1 else { return body(0..<count) }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        body((count * worker / workers)..<(count * (worker + 1) / workers))
    }
}
