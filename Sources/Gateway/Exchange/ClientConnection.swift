import Hummingbird
import NIOCore

/// The client's connection as a request handler sees it: reads and writes that cannot
/// hang. A body that does not arrive within the read timeout, or a write the client does
/// not take within the write timeout (it stopped reading), closes the connection, which
/// fails the pending operation, so the handler ends and logs the exchange.
struct ClientConnection: Sendable {
    let channel: any Channel
    let readTimeout: Duration
    let writeTimeout: Duration

    /// Runs `operation`, closing the connection if it has not finished after `timeout`.
    ///
    /// On the connection's loop (`event_loop_handlers`) the watchdog is a loop timer, which
    /// costs nothing to set and cancel there; elsewhere it is a sleeping task, since setting
    /// and cancelling a loop timer from another thread wakes the loop each time.
    func closing<T>(after timeout: Duration, _ operation: () async throws -> T) async rethrows -> T {
        let channel = channel
        let cancelWatchdog: () -> Void
        if channel.eventLoop.inEventLoop {
            let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
            cancelWatchdog = { timer.cancel() }
        } else {
            let sleeper = Task {
                try await Task.sleep(for: timeout)
                channel.close(promise: nil)
            }
            cancelWatchdog = { sleeper.cancel() }
        }
        defer { cancelWatchdog() }
        return try await operation()
    }

    /// Writes `buffer` to the client, or throws once the write timeout closed the connection.
    func write(_ buffer: ByteBuffer, to writer: inout any ResponseBodyWriter) async throws {
        try await closing(after: writeTimeout) { try await writer.write(buffer) }
    }
}
