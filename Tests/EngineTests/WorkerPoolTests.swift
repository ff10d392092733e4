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

    /// Four callers race for the pool: the one holding it shares its chunks with the
    /// helper, the others run theirs themselves; either way each chunk runs once per call.
    @Test func racingCallersEachRunTheirChunksOnce() {
        let chunks = 157
        let counts = Counts(chunks), pooled = Counts(1)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<20 {
                if Self.pool.run(chunks: chunks, { counts.add($0) }) {
                    pooled.add(0)
                } else {
                    for chunk in 0..<chunks { counts.add(chunk) }
                }
            }
        }
        #expect((0..<chunks).allSatisfy { counts.slots[$0] == 80 })
        #expect(pooled.slots[0] >= 1)
    }
}
