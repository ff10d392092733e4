import Foundation
import Testing

@testable import Teacher

/// A counter shared with a producer thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var results: [Bool] = []

    func record(_ accepted: Bool) {
        lock.lock()
        count += 1
        results.append(accepted)
        lock.unlock()
    }

    var snapshot: (count: Int, results: [Bool]) {
        lock.lock()
        defer { lock.unlock() }
        return (count, results)
    }
}

@Suite("BodyPipe backpressure and endings")
struct BodyPipeTests {
    /// Pushes `chunks` from a separate thread, recording each push's result.
    private func produce(_ chunks: [[UInt8]], into pipe: BodyPipe, finishing: TeacherError?? = nil) -> Counter {
        let counter = Counter()
        Thread {
            for chunk in chunks { counter.record(pipe.push(chunk) == .accepted) }
            if let finishing { pipe.finish(error: finishing) }
        }.start()
        return counter
    }

    /// Polls `condition` for up to two seconds.
    private func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0..<400 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test("the producer blocks while the pipe is full and resumes as the consumer reads")
    func backpressure() async throws {
        let pipe = BodyPipe(capacityBytes: 10)
        let counter = produce([[1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2], [3]], into: pipe, finishing: .some(nil))
        try await waitFor { counter.snapshot.count == 2 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(counter.snapshot.count == 2)  // 16 bytes queued ≥ 10: the third push waits
        #expect(try await pipe.next().get() == [1, 1, 1, 1, 1, 1, 1, 1])
        #expect(try await pipe.next().get() == [2, 2, 2, 2, 2, 2, 2, 2])
        #expect(try await pipe.next().get() == [3])
        #expect(try await pipe.next().get() == nil)
        #expect(counter.snapshot.results == [true, true, true])
    }

    @Test("a consumer that stops reading holds the producer only until its deadline")
    func pushGivesUpAtTheDeadline() {
        let pipe = BodyPipe(capacityBytes: 4)
        #expect(pipe.push([1, 2, 3, 4]) == .accepted)
        let started = Date()
        #expect(pipe.push([5], until: Date().addingTimeInterval(0.05)) == .timedOut)
        #expect(Date().timeIntervalSince(started) < 5)  // returned, rather than waiting for a reader forever
    }

    @Test("cancel wakes a blocked producer, whose push reports false")
    func cancelUnblocksProducer() async throws {
        let pipe = BodyPipe(capacityBytes: 4)
        let counter = produce([[1, 2, 3, 4], [5]], into: pipe)
        try await waitFor { counter.snapshot.count == 1 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(counter.snapshot.count == 1)
        #expect(pipe.cancel())
        try await waitFor { counter.snapshot.count == 2 }
        #expect(counter.snapshot.results == [true, false])
        await #expect(throws: TeacherError.cancelled) { try await pipe.next().get() }
    }

    @Test("a waiting consumer gets a chunk pushed later; an error comes after the queued chunks")
    func waitingConsumerAndError() async throws {
        let pipe = BodyPipe()
        async let first = pipe.next()
        try await Task.sleep(for: .milliseconds(20))
        _ = produce([[7], [8]], into: pipe, finishing: .some(.transfer("reset")))
        #expect(try await first.get() == [7])
        #expect(try await pipe.next().get() == [8])
        await #expect(throws: TeacherError.transfer("reset")) { try await pipe.next().get() }
        #expect(!pipe.cancel())  // already ended: nothing to abort
    }

    @Test("a buffered TeacherBody iterates its chunks and collects them")
    func bufferedBody() async throws {
        let body = TeacherBody(chunks: [[1], [2, 3]])
        var chunks: [[UInt8]] = []
        for try await chunk in body { chunks.append(chunk) }
        #expect(chunks == [[1], [2, 3]])
        #expect(try await TeacherBody(chunks: [[1], [2, 3]]).collect(upTo: 3) == [1, 2, 3])
    }
}
