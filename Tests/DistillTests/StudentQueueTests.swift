import Foundation
import Synchronization
import Testing
@testable import Distill

@Suite("Student queue lanes")
struct StudentQueueTests {
    @Test("served jobs run before background jobs queued earlier; each lane has its own capacity and depth")
    func servedFirst() async throws {
        let queue = StudentQueue(capacity: 2)
        let order = Mutex<[String]>([])
        let started = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        func job(_ name: String) -> @Sendable () -> Void {
            { order.withLock { $0.append(name) } }
        }
        #expect(queue.submit {  // holds the student's thread until the others are queued
            started.signal()
            gate.wait()
            order.withLock { $0.append("first") }
        })
        started.wait()
        #expect(queue.submit(job("b1"), lane: .background))
        #expect(queue.submit(job("b2"), lane: .background))
        #expect(!queue.submit(job("b3"), lane: .background))  // the background lane is full
        #expect(queue.servedDepth == 1)  // only the running generation is ahead of a served job
        #expect(queue.backgroundDepth == 2)
        #expect(queue.submit(job("s1")))
        #expect(queue.submit(job("s2")))
        #expect(!queue.submit(job("s3")))  // the served lane is full
        #expect(queue.servedDepth == 3)
        #expect(queue.depth == 5)
        gate.signal()
        let deadline = ContinuousClock.now + .seconds(5)
        while order.withLock({ $0.count }) < 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(order.withLock { $0 } == ["first", "s1", "s2", "b1", "b2"])
    }
}
