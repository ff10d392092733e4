/// Progressive serving's records: each route's state, the events that changed it,
/// quality-gate results, unserved student answers, the ratings and held-out rows the
/// gate reads. States and events are opaque JSON to the storage; the gateway owns them.
public protocol ServingStorage: Sendable {
    /// Every stored route state, by route name.
    func states() throws -> [StoredServingState]
    /// Replaces `route`'s state and appends the event that changed it, in one transaction.
    ///
    /// - Returns: the event's id, greater than every earlier event's id.
    @discardableResult
    func save(route: String, stateJSON: String, eventJSON: String, at time: Double) throws -> Int
    /// The newest event id (0 for none): a cheap change marker to poll.
    func latestEventID() throws -> Int
    /// The newest `limit` events, of `route` only when given, newest (highest id) first.
    func events(route: String?, limit: Int) throws -> [StoredServingEvent]
    /// The GGUF file of student `version` (its directory joined with `files["gguf"]`), or nil.
    func studentModelPath(version: String) throws -> String?
    /// Stores a quality-gate result.
    func recordEvalResult(_ result: StoredEvalResult) throws
    /// The newest `limit` gate results, of `version` and of `route` only when given, newest
    /// (last recorded) first.
    func evalResults(version: String?, route: String?, limit: Int) throws -> [StoredEvalResult]
    /// Keeps a student answer that was not served; a second answer of the same kind for the
    /// same exchange replaces the first.
    func recordStudentAnswer(_ answer: StoredStudentAnswer) throws
    /// Keeps the teacher's pairwise verdict on a student answer to exchange `exchangeID` as
    /// an `ai_feedback` preference pair (loss: the teacher's answer chosen; win: the
    /// student's); returns whether a pair was added.
    @discardableResult
    func recordJudgedPair(exchangeID: String, studentMessage: String, studentWon: Bool, at time: Double) throws -> Bool
    /// Unserved student answers of `route` (of `kind` only when given), newest first.
    func studentAnswers(route: String, kind: String?, limit: Int) throws -> [StoredStudentAnswer]
    /// Shadow judgments of `version` on `route` since `time` (inclusive): counts of `win`, `tie`, `loss`.
    func shadowJudgments(route: String, version: String, since time: Double) throws -> [String: Int]
    /// Thumbs on `route`'s exchanges given after `time`, oldest first, with who served each.
    func ratings(route: String, since time: Double, limit: Int) throws -> [StoredRating]
    /// Who served `route`'s latest `limit` exchanges: (created_at, served by the student), newest first.
    func recentServers(route: String, limit: Int) throws -> [(createdAt: Double, student: Bool)]
    /// The latest frozen held-out split, freezing one with the default curation (atomically,
    /// once) when none exists, so that every later evaluation uses the same rows.
    func heldOutSplit(testPercent: Double) throws -> HeldOutVersion
    /// The rows of held-out split `version` (of `route` only when given), in log order.
    func heldOutRows(version: Int, route: String?, limit: Int?) throws -> [HeldOutRow]
    /// Stores the router learned for `version` on `route` (opaque JSON), replacing an earlier one.
    func saveRouter(version: String, route: String, routerJSON: String, at time: Double) throws
    /// The router stored for `version` on `route`, or nil.
    func router(version: String, route: String) throws -> String?
}

extension ServingStore: ServingStorage {}
