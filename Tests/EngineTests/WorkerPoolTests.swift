import Foundation
import Synchronization
import Testing
@testable import Engine

/// The persistent worker pool: every chunk runs exactly once, also with callers racing.
@Suite(.serialized) struct WorkerPoolTests {
    /// A pool of this suite's own, so other suites running at once cannot hold it.
    private static let pool = WorkerPool(helpers: 1)

    /// Counts how often each chunk ran.
    private final class Counts: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Int>
        let lock = NSLock()
        init(_ count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: 0, count: count)
        }
        func add(_ index: Int) { lock.withLock { slots[index] += 1 } }
        deinit { slots.deallocate() }
    }

    @Test(arguments: [1, 2, 3, 64, 1000])
    func everyChunkRunsOnce(chunks: Int) {
        let counts = Counts(chunks)
        for _ in 0..<50 {
            let ran = Self.pool.run(chunks: chunks) { counts.add($0) }
            #expect(ran)
        }
        #expect((0..<chunks).allSatisfy { counts.slots[$0] == 50 })
    }

    @Test func rangesCoverEveryItemOnceWithRacingCallers() {
        let count = 10_001
        let counts = Counts(count)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<20 {
                Parallel.ranges(count, threads: 2, minimumPerThread: 64) { start, end in
                    for index in start..<end { counts.add(index) }
                }
            }
        }
        #expect((0..<count).allSatisfy { counts.slots[$0] == 80 })
    }
}
