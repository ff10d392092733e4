import Foundation
import Synchronization

/// Persistent helper threads for the decode kernels.
///
/// A decode token runs ~100 small parallel sections (tens of µs each); waking threads
/// through Dispatch for each costs about as much as the work. Helpers here spin on an
/// atomic generation counter for a while after each section, so the next one starts in
/// well under a microsecond, and park on a condition only when work stops coming.
///
/// Work is claimed in chunks from one atomic word, so the caller never waits for a
/// helper that the OS has not scheduled: it takes the chunks itself.
///
/// One caller at a time: `run` returns `false` at once when another thread holds the
/// pool, and the caller then does the work some other way.
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool: one helper per core beyond the caller's.
    static let shared = WorkerPool(helpers: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// Helper threads; `run` splits into at most `helpers + 1` parts.
    let helpers: Int
    /// Spin iterations before a helper parks (a few hundred µs).
    private static let spinLimit = 50_000

    private let busy = Atomic<Bool>(false)
    /// generation << 32 | chunks << 16 | next chunk: one word, so a helper can claim a
    /// chunk only of the section it belongs to.
    private let state = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let parked = NSCondition()
    /// The current section's work; written by the caller before it publishes a new
    /// generation, read by a helper only after it claimed one of its chunks.
    private nonisolated(unsafe) var job: ((Int) -> Void)?

    /// Starts `helpers` threads that live as long as the process.
    init(helpers: Int) {
        self.helpers = helpers
        for index in 0..<helpers {
            let thread = Thread { [unowned self] in self.helperLoop() }
            thread.name = "engine-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Most chunks one section can have.
    static let maximumChunks = 0xFFFF

    /// Runs `body(chunk)` for every `chunk` in `0 ..< chunks`, shared between the caller
    /// and whichever helpers are awake (a helper that is not scheduled takes nothing, so
    /// a busy machine costs no wait). Returns `false` without running anything when the
    /// pool is busy with another caller.
    func run(chunks: Int, _ body: (Int) -> Void) -> Bool {
        precondition(chunks >= 1 && chunks <= Self.maximumChunks)
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            completed.store(0, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> 32) + 1
            state.store(generation << 32 | chunks << 16, ordering: .releasing)
            parked.lock()
            parked.broadcast()
            parked.unlock()
            let done = work(generation: generation, body)
            completed.add(done, ordering: .releasing)
            var spins = 0
            while completed.load(ordering: .acquiring) < chunks {
                spins += 1
                if spins % 64 == 0 { sched_yield() }
            }
            job = nil
        }
        return true
    }

    /// Claims and runs chunks of section `generation` until none are left; returns how
    /// many it ran.
    private func work(generation: Int, _ body: (Int) -> Void) -> Int {
        var done = 0
        var current = state.load(ordering: .acquiring)
        while current >> 32 == generation, current & 0xFFFF < (current >> 16) & 0xFFFF {
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                body(current & 0xFFFF)
                done += 1
                current = state.load(ordering: .acquiring)
            } else {
                current = original
            }
        }
        return done
    }

    /// A helper's life: wait for a new section, take chunks of it, report them.
    private func helperLoop() {
        var seen = 0
        while true {
            seen = waitForGeneration(after: seen)
            let done = work(generation: seen) { chunk in job?(chunk) }
            if done > 0 { completed.add(done, ordering: .releasing) }
        }
    }

    /// Spins (yielding), then parks, until the generation moves past `seen`; returns it.
    private func waitForGeneration(after seen: Int) -> Int {
        for spin in 0..<Self.spinLimit {
            let current = state.load(ordering: .acquiring) >> 32
            if current != seen { return current }
            if spin % 64 == 63 { sched_yield() }
        }
        parked.lock()
        defer { parked.unlock() }
        while state.load(ordering: .acquiring) >> 32 == seen { parked.wait() }
        return state.load(ordering: .acquiring) >> 32
    }
}
