extension ServingStore {
    /// Stores a quality-gate result.
    public func recordEvalResult(_ result: StoredEvalResult) throws {
        try reader.withDatabase { db in
            try db.prepare("INSERT INTO eval_results (version, route, split_version, created_at, passed, metrics) VALUES (?,?,?,?,?,?)")
                .run([result.version, result.route, result.splitVersion, result.createdAt, result.passed, result.metricsJSON])
        }
    }

    /// The newest `limit` gate results, of `version` and of `route` only when given, newest first.
    public func evalResults(version: String? = nil, route: String? = nil, limit: Int = 20) throws -> [StoredEvalResult] {
        let filters = [version.map { ("version = ?", $0) }, route.map { ("route = ?", $0) }].compactMap { $0 }
        let sql = "SELECT version, route, split_version, created_at, passed, metrics FROM eval_results "
            + (filters.isEmpty ? "" : "WHERE " + filters.map(\.0).joined(separator: " AND ") + " ") + "ORDER BY id DESC LIMIT ?"
        let arguments: [any SQLiteBindable] = filters.map { $0.1 as any SQLiteBindable } + [max(limit, 0)]
        return try reader.withDatabase { db in try db.fetchAll(sql, arguments, StoredEvalResult.init(row:)) }
    }

    /// Keeps a student answer that was not served (a shadow run or a discarded fallback).
    /// A second answer of the same kind for the same exchange replaces the first.
    public func recordStudentAnswer(_ answer: StoredStudentAnswer) throws {
        try reader.withDatabase { db in
            try db.prepare("""
                INSERT OR REPLACE INTO student_answers
                    (exchange_id, route, version, kind, reason, judgment, created_at, response) VALUES (?,?,?,?,?,?,?,?)
                """).run([answer.exchangeID, answer.route, answer.version, answer.kind, answer.reason, answer.judgment,
                          answer.createdAt, answer.responseJSON])
        }
    }

    /// Keeps the teacher's verdict on a student answer to exchange `exchangeID` as a
    /// preference pair with provenance `ai_feedback`: on a loss the exchange's answer is
    /// chosen and `studentMessage` rejected, on a win the reverse. The pair's feedback id is
    /// `ai_feedback:` + the exchange id: one exchange gives at most one such pair.
    /// - Returns: whether a pair was added (false when the exchange is gone or the pair exists).
    @discardableResult
    public func recordJudgedPair(exchangeID: String, studentMessage: String, studentWon: Bool, at time: Double) throws -> Bool {
        try reader.withDatabase { db in
            try db.prepare("""
                INSERT OR IGNORE INTO preference_pairs (created_at, source, prompt_hash, chosen_exchange_id, chosen_index,
                  chosen_message, rejected_exchange_id, rejected_index, rejected_message, feedback_id)
                SELECT ?1, 'ai_feedback', prompt_hash, id, 0, CASE WHEN ?3 THEN ?2 END, id, 0, CASE WHEN ?3 THEN NULL ELSE ?2 END,
                       'ai_feedback:' || id
                FROM exchanges WHERE id = ?4 AND status = 200
                """).run([time, studentMessage, studentWon, exchangeID])
            return db.changes > 0
        }
    }

    /// Unserved student answers of `route`, newest first.
    public func studentAnswers(route: String, kind: String? = nil, limit: Int = 100) throws -> [StoredStudentAnswer] {
        try reader.withDatabase { db in
            let sql = "SELECT exchange_id, route, version, kind, reason, judgment, created_at, response FROM student_answers "
                + "WHERE route = ? " + (kind == nil ? "" : "AND kind = ? ") + "ORDER BY created_at DESC LIMIT ?"
            let arguments: [any SQLiteBindable] = [route] + (kind.map { [$0] } ?? []) + [max(limit, 0)]
            return try db.fetchAll(sql, arguments, StoredStudentAnswer.init(row:))
        }
    }

    /// Who served `route`'s latest `limit` requests: (created_at, served by the student),
    /// newest first (by the `(route, seq)` index: the cost is bounded by `limit`, not the log).
    /// Exchanges that no client sent (tagged `source:…`, as `retort augment` logs them) are
    /// not requests and are left out.
    public func recentServers(route: String, limit: Int) throws -> [(createdAt: Double, student: Bool)] {
        try reader.withDatabase { db in
            try db.fetchAll("""
                SELECT created_at, served_by FROM exchanges
                WHERE route = ? AND (tags IS NULL OR tags NOT LIKE '%"source:%') ORDER BY seq DESC LIMIT ?
                """, [route, max(limit, 0)]) { row in (try row.double("created_at"), try row.text("served_by") == "student") }
        }
    }

    /// Shadow judgments of `version` on `route` since `time`: counts of `win`, `tie`, `loss`.
    public func shadowJudgments(route: String, version: String, since time: Double) throws -> [String: Int] {
        try reader.withDatabase { db in
            let counts = try db.fetchAll("""
                SELECT judgment, count(*) AS count FROM student_answers
                WHERE route = ? AND version = ? AND kind = 'shadow' AND judgment IS NOT NULL AND created_at >= ?
                GROUP BY judgment
                """, [route, version, time]) { row in (try row.text("judgment"), try row.int("count")) }
            return Dictionary(counts, uniquingKeysWith: +)
        }
    }

    /// Thumbs on `route`'s exchanges given after `time`, oldest first, with who served each.
    public func ratings(route: String, since time: Double, limit: Int = 1000) throws -> [StoredRating] {
        try reader.withDatabase { db in
            try db.fetchAll("""
                SELECT f.created_at, f.rating, e.served_by, e.upstream_model FROM feedback f
                JOIN exchanges e ON e.id = f.exchange_id
                WHERE e.route = ? AND f.rating IS NOT NULL AND f.created_at > ?
                ORDER BY f.created_at LIMIT ?
                """, [route, time, max(limit, 0)]) { row in
                StoredRating(createdAt: try row.double("created_at"), up: try row.int("rating") > 0,
                             servedBy: try row.text("served_by"), model: try row.optionalText("upstream_model"))
            }
        }
    }
}

/// One stored quality-gate result.
public struct StoredEvalResult: Sendable, Equatable {
    /// The student version or GGUF path evaluated.
    public var version: String
    /// The route whose held-out rows were scored; nil: every route.
    public var route: String?
    /// The held-out split version used.
    public var splitVersion: Int?
    /// Unix seconds.
    public var createdAt: Double
    /// Whether the gate passed.
    public var passed: Bool
    /// The metrics and failures as JSON.
    public var metricsJSON: String

    /// A result record.
    public init(version: String, route: String?, splitVersion: Int?, createdAt: Double, passed: Bool, metricsJSON: String) {
        self.version = version
        self.route = route
        self.splitVersion = splitVersion
        self.createdAt = createdAt
        self.passed = passed
        self.metricsJSON = metricsJSON
    }

    /// Decodes a row selected as `version, route, split_version, created_at, passed, metrics`.
    init(row: SQLiteRow) throws(SQLiteError) {
        self.init(version: try row.text("version"), route: try row.optionalText("route"),
                  splitVersion: try row.optionalInt("split_version"), createdAt: try row.double("created_at"),
                  passed: try row.bool("passed"), metricsJSON: try row.text("metrics"))
    }
}

/// A student answer that was not served.
public struct StoredStudentAnswer: Sendable, Equatable {
    /// The exchange the teacher answered.
    public var exchangeID: String
    /// Its route.
    public var route: String
    /// The student version (or GGUF path) that answered.
    public var version: String?
    /// `shadow` or `fallback`.
    public var kind: String
    /// Why it was not served (a fallback reason), if any.
    public var reason: String?
    /// For a shadow answer: `win`, `tie` or `loss` against the teacher's.
    public var judgment: String?
    /// Unix seconds.
    public var createdAt: Double
    /// The student's `chat.completion` JSON.
    public var responseJSON: String?

    /// An answer record.
    public init(exchangeID: String, route: String, version: String?, kind: String, reason: String?,
                judgment: String? = nil, createdAt: Double, responseJSON: String?) {
        self.exchangeID = exchangeID
        self.route = route
        self.version = version
        self.kind = kind
        self.reason = reason
        self.judgment = judgment
        self.createdAt = createdAt
        self.responseJSON = responseJSON
    }

    /// Decodes a row selected as `exchange_id, route, version, kind, reason, judgment, created_at, response`.
    init(row: SQLiteRow) throws(SQLiteError) {
        self.init(exchangeID: try row.text("exchange_id"), route: try row.text("route"), version: try row.optionalText("version"),
                  kind: try row.text("kind"), reason: try row.optionalText("reason"), judgment: try row.optionalText("judgment"),
                  createdAt: try row.double("created_at"), responseJSON: try row.optionalText("response"))
    }
}

/// A thumbs rating of one exchange.
public struct StoredRating: Sendable, Equatable {
    /// Unix seconds the rating was given.
    public var createdAt: Double
    /// Thumbs up (else down).
    public var up: Bool
    /// `teacher` or `student`.
    public var servedBy: String
    /// The model that answered (for the student: its version).
    public var model: String?

    /// A rating record.
    public init(createdAt: Double, up: Bool, servedBy: String, model: String?) {
        self.createdAt = createdAt
        self.up = up
        self.servedBy = servedBy
        self.model = model
    }
}
