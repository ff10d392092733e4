/// Which limit of ``TeacherConfiguration`` ran out.
public enum TimeoutPhase: String, Sendable, Equatable {
    /// Establishing the connection.
    case connect
    /// Waiting for the response head.
    case firstByte
    /// Waiting for the next body chunk.
    case idle
    /// The whole attempt.
    case total
}

/// Everything that can go wrong talking to the teacher. Messages never contain the API key
/// or any request header.
public enum TeacherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// DNS, connect, TLS, or the connection closed or reset before a response head arrived.
    case unreachable(String)
    /// A limit ran out; see ``TimeoutPhase``.
    case timedOut(TimeoutPhase)
    /// The caller cancelled: task cancellation or ``TeacherBody/cancel()``.
    case cancelled
    /// The transfer broke after the response head (e.g. a reset mid-stream).
    case transfer(String)
    /// The base URL and path do not form an `http` or `https` URL.
    case invalidURL(String)
    /// ``TeacherBody/collect(upTo:)`` met a body larger than its limit.
    case bodyTooLarge(limit: Int)
    /// ``TeacherConfiguration/maxConcurrentTransfers`` transfers are in flight already.
    case overloaded(limit: Int)

    /// A one-line explanation fit for a log or an error body.
    public var description: String {
        switch self {
        case .unreachable(let detail): "teacher unreachable: \(detail)"
        case .timedOut(let phase): "teacher timed out (\(phase.rawValue) timeout)"
        case .cancelled: "teacher request cancelled"
        case .transfer(let detail): "teacher transfer failed mid-response: \(detail)"
        case .invalidURL(let url): "invalid teacher URL: \(url)"
        case .bodyTooLarge(let limit): "teacher response body exceeds \(limit) bytes"
        case .overloaded(let limit): "\(limit) teacher requests are in flight already"
        }
    }

    /// The status a gateway should answer with: 502 when the teacher could not be reached or
    /// broke off, 504 on a timeout, 499 (client closed request) on cancellation, 503 when too
    /// many requests are in flight, 500 otherwise.
    public var suggestedHTTPStatus: Int {
        switch self {
        case .unreachable, .transfer, .bodyTooLarge: 502
        case .timedOut: 504
        case .cancelled: 499
        case .overloaded: 503
        case .invalidURL: 500
        }
    }
}
