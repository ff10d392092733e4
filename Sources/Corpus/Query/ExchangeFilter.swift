/// Which exchanges a listing shows, and which page.
///
/// Pages are keyed, not offset: ``before`` is the id of the last exchange of the
/// previous page, so every page costs the same at any depth. Newest first.
public struct ExchangeFilter: Sendable, Equatable {
    /// A thumbs filter.
    public enum Rating: String, Sendable, CaseIterable {
        /// Latest thumbs up.
        case up
        /// Latest thumbs down.
        case down
        /// Never rated by thumbs (`none` on the wire).
        case unrated = "none"
        /// Rated either way.
        case rated
    }

    /// Largest page.
    public static let maximumLimit = 500

    /// Only this route (the `model` the client asked for).
    public var route: String?
    /// Only this HTTP status.
    public var status: Int?
    /// Only `teacher` or `student`.
    public var servedBy: String?
    /// Only this API surface: `chat`, `responses` or `messages`.
    public var surface: String?
    /// Only exchanges with this tag (e.g. `source:expansion`).
    public var tag: String?
    /// Only these ratings.
    public var rating: Rating?
    /// An SQLite FTS5 query over prompts and answers (e.g. `paris`, `"new york"`, `capital AND france`, `answer:yes`).
    public var text: String?
    /// Only exchanges older than this exchange id (the previous page's ``ExchangePage/nextBefore``).
    public var before: String?
    /// Page size, 1 ... ``maximumLimit``.
    public var limit: Int

    /// A filter; everything optional, 50 per page.
    public init(route: String? = nil, status: Int? = nil, servedBy: String? = nil, rating: Rating? = nil,
                text: String? = nil, before: String? = nil, limit: Int = 50) {
        self.route = route
        self.status = status
        self.servedBy = servedBy
        self.rating = rating
        self.text = text
        self.before = before
        self.limit = limit
    }

    /// Checks the ranges; the query itself is always bound, never spliced.
    public func validate() throws(CorpusError) {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw .invalid("`limit` must be from 1 to \(Self.maximumLimit).", parameter: "limit")
        }
        if let status, !(100...599).contains(status) {
            throw .invalid("`status` must be an HTTP status code.", parameter: "status")
        }
    }

    /// The search text, nil when absent or blank.
    var searchText: String? {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
        return text
    }
}
