/// A problem with a corpus operation that the caller can act on: bad input, a
/// missing target, a pair that does not match. Storage failures stay ``SQLiteError``.
///
/// The gateway maps each case to a status: ``invalid(_:parameter:)`` and
/// ``invalidSearch(_:)`` to 400, ``notFound(_:parameter:)`` to 404,
/// ``promptMismatch(_:)`` and ``unprocessable(_:parameter:)`` to 422.
public enum CorpusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Malformed input; `parameter` names the field at fault.
    case invalid(String, parameter: String?)
    /// A full-text query SQLite cannot parse.
    case invalidSearch(String)
    /// The exchange (or other record) does not exist.
    case notFound(String, parameter: String?)
    /// A pairwise preference between exchanges with different prompts.
    case promptMismatch(String)
    /// Well-formed input that cannot be applied (e.g. a choice index the exchange does not have).
    case unprocessable(String, parameter: String?)

    /// The human-readable message.
    public var message: String {
        switch self {
        case .invalid(let m, _), .invalidSearch(let m), .notFound(let m, _), .promptMismatch(let m), .unprocessable(let m, _):
            return m
        }
    }

    /// The request field at fault, if known.
    public var parameter: String? {
        switch self {
        case .invalid(_, let p), .notFound(_, let p), .unprocessable(_, let p): return p
        case .invalidSearch: return "q"
        case .promptMismatch: return "rejected"
        }
    }

    public var description: String { message }
}
