import HummingbirdCore
import Logging
import NIOCore

/// Runs a task's jobs on one NIO event loop (Swift's task-executor preference). A
/// connection's work (reading the request, the handler, writing the answer) then stays on
/// the loop that owns its socket, instead of hopping to the concurrency pool and back on
/// every read and write. Work that blocks (SQLite reads, training starts) must not run
/// here: ``OffLoopMiddleware`` moves those routes back to the pool.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

/// A server child channel whose connections run on their own event loop
/// (``EventLoopTaskExecutor``); everything else is `Base`'s.
struct EventLoopBoundChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        base.setup(channel: channel, logger: logger)
    }

    func handle(value: Base.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}
