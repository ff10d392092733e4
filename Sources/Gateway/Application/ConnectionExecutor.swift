import Hummingbird
import NIOCore

/// A task executor that runs jobs on one NIO event loop: the loop that owns a client
/// connection.
///
/// Hummingbird serves each connection from a task. Left on Swift's global pool, every
/// request crosses threads twice on the way in and out (the loop reads, the pool handles,
/// the loop writes), and a teacher answer crosses again. Preferring the connection's loop
/// keeps the request, its handler and its response on the thread that owns the socket; a
/// plain-HTTP teacher is then called from that same loop too (the teacher client's
/// event-loop transport), and a curl teacher's answer wakes that loop directly. On a
/// 2-core machine each cross-thread wake of an idle core costs tens of microseconds.
///
/// Code running here must not block: a blocked loop stalls every connection it owns.
/// Handlers that wait on SQLite or the file system run on the global pool instead
/// (``OffLoopMiddleware``, ``offLoop(_:)``).
final class EventLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs `operation` on Swift's global concurrent pool, whatever executor the calling task
/// prefers: for a handler on a connection's event loop that must read SQLite (whose reads
/// wait for the exchange log's writer) or do anything else that may block.
func offLoop<T>(_ operation: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor, operation: operation)
}

/// Runs the rest of the chain and the response body's writer on Swift's global pool
/// (``offLoop(_:)``): for routes whose handlers read SQLite or the file system, which must
/// not block the connection's event loop.
struct OffLoopMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await offLoop { try await next(request, context) }
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await offLoop { try await body.write(writer) }
        }
        return response
    }
}
