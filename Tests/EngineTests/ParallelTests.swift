import Foundation
import Testing
import Engine

/// The one parallel-for: its ranges cover every item once and are balanced.
@Suite struct ParallelTests {
    /// Records the ranges one section ran.
    private final class Ranges: @unchecked Sendable {
        private let lock = NSLock()
        private var ranges: [Range<Int>] = []
        func add(_ range: Range<Int>) { lock.withLock { ranges.append(range) } }
        var sorted: [Range<Int>] { lock.withLock { ranges.sorted { $0.lowerBound < $1.lowerBound } } }
    }

    @Test(arguments: [(0, 3), (1, 1), (5, 4), (7, 2), (1000, 3), (49_152, 2)])
    func partsCoverTheCountAndDifferByAtMostOne(count: Int, parts: Int) {
        let ranges = (0..<parts).map { Parallel.range(part: $0, of: parts, count: count) }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        let sizes = ranges.map(\.count)
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        #expect(count < parts || sizes.allSatisfy { $0 > 0 })
    }

    @Test(arguments: [(0, 2, 1), (10, 2, 16), (100, 1, 1), (100, 2, 1), (101, 4, 8), (5, 8, 1)])
    func forEachRunsEveryItemOnce(count: Int, threads: Int, minimumPerThread: Int) {
        let seen = Ranges()
        Parallel.forEach(count, threads: threads, minimumPerThread: minimumPerThread) { seen.add($0) }
        let ranges = seen.sorted
        #expect(ranges.reduce(0) { $0 + $1.count } == count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        // Dispatch runs one range per thread; the worker pool (the default, unless another
        // test holds it) cuts finer ranges of about `minimumPerThread` items, claimed by
        // whichever thread is free.
        let parts = max(1, min(threads, count / minimumPerThread))
        #expect(ranges.count == parts || (parts > 1 && Parallel.usesWorkerPool && ranges.count == count / minimumPerThread))
        #expect(ranges.allSatisfy { $0.count >= min(count, minimumPerThread) })
    }
}
