import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import Gateway

@Suite("Connection tasks on their event loop")
struct EventLoopExecutorTests {
    @Test("a task preferring a loop runs on it, also after a resume from another thread, and offLoop leaves it")
    func staysOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let result = await withTaskExecutorPreference(EventLoopExecutor(loop)) { () async -> [Bool] in
            var seen = [loop.inEventLoop]
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume() }  // resumed from a thread of its own
            }
            seen.append(loop.inEventLoop)
            try? await Task.sleep(for: .milliseconds(5))
            seen.append(loop.inEventLoop)
            async let child = loop.inEventLoop  // child tasks inherit the preference
            seen.append(await child)
            seen.append(await offLoop { MultiThreadedEventLoopGroup.currentEventLoop == nil })
            seen.append(loop.inEventLoop)
            return seen
        }
        #expect(result == [true, true, true, true, true, true])
        try await group.shutdownGracefully()
    }
}
