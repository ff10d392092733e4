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
            for chunk in chunks { counter.record(pipe.push(chunk)) }
            if let finishing { pipe.finish(error: finishing) }
        }.start()
        return counter
    }

    @Test("a full pipe tells its producer once the consumer has made room")
    func backpressure() async throws {
        let pipe = BodyPipe(capacityBytes: 10)
        #expect(pipe.push([1, 1, 1, 1, 1, 1, 1, 1]) && pipe.push([2, 2, 2, 2, 2, 2, 2, 2]))
        #expect(pipe.isFull)  // 16 bytes queued ≥ 10: the producer pauses
        let counter = Counter()
        pipe.whenRoom { counter.record(true) }
        #expect(counter.snapshot.count == 0)
        #expect(try await pipe.next().get() == [1, 1, 1, 1, 1, 1, 1, 1])
        #expect(counter.snapshot.count == 1 && !pipe.isFull)  // 8 bytes left: room again
        pipe.whenRoom { counter.record(true) }  // room now: called at once
        #expect(counter.snapshot.count == 2)
        #expect(pipe.push([3]))
        pipe.finish(error: nil)
        #expect(try await pipe.next().get() == [2, 2, 2, 2, 2, 2, 2, 2])
        #expect(try await pipe.next().get() == [3])
        #expect(try await pipe.next().get() == nil)
    }

    @Test("cancel refuses later pushes and drops the room callback")
    func cancelStopsTheProducer() async throws {
        let pipe = BodyPipe(capacityBytes: 4)
        #expect(pipe.push([1, 2, 3, 4]))
        let counter = Counter()
        pipe.whenRoom { counter.record(true) }
        #expect(pipe.cancel())
        #expect(!pipe.push([5]))
        #expect(counter.snapshot.count == 0)
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
