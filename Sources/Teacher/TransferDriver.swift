/// Where an attempt's response is.
enum TransferPhase {
    /// No body byte yet; the head may still be arriving.
    case awaitingHead
    /// The head went to the caller; chunks go to the pipe.
    case streaming
    /// A retryable status: read and drop its body, then report `retry`.
    case discarding(status: Int, delay: Duration)
}

/// What runs a ``TeacherClient``'s attempts: libcurl on its own thread (``CurlEventLoop``)
/// or keep-alive connections on the caller's NIO event loop (``EventLoopTransport``).
protocol TransferDriver: Sendable {
    /// Starts `attempt`; its outcome and body arrive through the attempt. Returns false,
    /// without starting it, when the driver is at its transfer cap or closed.
    func submit(_ attempt: TransferAttempt) -> Bool
    /// Stops taking attempts; running ones finish.
    func close()
}
