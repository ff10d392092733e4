import Foundation

/// Names the calling thread for `top -H`, `ps -L` and `perf` (Linux keeps 15 bytes).
///
/// Call it first thing in the thread's body. Foundation's `Thread.name` reaches the kernel
/// on Linux only if the thread was fully started when the name is set, which a thread
/// racing its creator may not be; the calling thread's own `comm` file always takes it.
public func nameCurrentThread(_ name: String) {
    try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
}
