import ChatAPI

/// Which logged exchanges are fit to train on.
///
/// The defaults follow the distillation facts: only complete teacher answers
/// (status 200, `finish_reason` stop), none rated down, one exchange per prompt
/// (the newest), since earlier turns may come from the student; where the request asked
/// for JSON, only answers that are JSON.
public struct CurationFilter: Sendable, Equatable {
    /// Only these routes; empty means all.
    public var routes: [String] = []
    /// Only exchanges served by this server (`teacher` by default); nil for any.
    public var servedBy: String? = "teacher"
    /// Only status 200.
    public var requireSuccess = true
    /// Only `finish_reason` = `stop`.
    public var requireStop = true
    /// Leave out exchanges whose latest thumbs is down.
    public var excludeRatedDown = true
    /// Keep only the newest exchange of each prompt hash.
    public var deduplicate = true
    /// Leave out exchanges whose request asked for JSON (`response_format` `json_object` or
    /// `json_schema`) and whose answer does not parse as JSON: a student must not learn a
    /// broken answer the client's parser would refuse. Checked on each row when training
    /// data is read (`TrainingDataReader`), which counts what it removed.
    public var requireValidJSON = true
    /// Leave out exchanges whose self-consistency check failed (`retort check-consistency`:
    /// the teacher, asked again at temperature > 0, gave a different answer). Exchanges
    /// never checked stay. Counted like ``requireValidJSON``.
    public var requireConsistency = true
    /// Leave out exchanges with more prompt tokens than this.
    public var maxPromptTokens: Int?
    /// Leave out exchanges with more completion tokens than this.
    public var maxCompletionTokens: Int?

    /// The defaults described above.
    public init() {}

    /// No curation at all: every exchange, as logged (the `raw` export's default).
    public static var everything: CurationFilter {
        var filter = CurationFilter()
        filter.servedBy = nil
        filter.requireSuccess = false
        filter.requireStop = false
        filter.excludeRatedDown = false
        filter.deduplicate = false
        filter.requireValidJSON = false
        filter.requireConsistency = false
        return filter
    }

    /// Whether `answer` fails ``requireValidJSON`` for `request` (the logged request body).
    public func failsJSONCheck(request: JSONValue, answer: String) -> Bool {
        guard requireValidJSON, ResponseFormat.asksForJSON(request["response_format"]?["type"]?.stringValue) else { return false }
        return (try? JSONValue.parse(answer)) == nil
    }

    /// SQL conditions over `exchanges e` and their bound arguments (no dedup).
    func conditions() -> (sql: [String], arguments: [any SQLiteBindable]) {
        var sql: [String] = []
        var arguments: [any SQLiteBindable] = []
        if !routes.isEmpty {
            sql.append("e.route IN (\(routes.map { _ in "?" }.joined(separator: ",")))")
            arguments += routes.map { $0 as any SQLiteBindable }
        }
        if let servedBy { sql.append("e.served_by = ?"); arguments.append(servedBy) }
        if requireSuccess { sql.append("e.status = 200") }
        if requireStop { sql.append("e.finish_reason = 'stop'") }
        if excludeRatedDown { sql.append("(e.rating IS NULL OR e.rating > 0)") }
        if let maxPromptTokens { sql.append("e.prompt_tokens <= ?"); arguments.append(maxPromptTokens) }
        if let maxCompletionTokens { sql.append("e.completion_tokens <= ?"); arguments.append(maxCompletionTokens) }
        return (sql, arguments)
    }

    /// The filter as JSON, stored with each frozen held-out split.
    public var json: JSONValue {
        .object([
            ("routes", .array(routes.map(JSONValue.string))), ("served_by", servedBy.map(JSONValue.string) ?? .null),
            ("require_success", .bool(requireSuccess)), ("require_stop", .bool(requireStop)),
            ("exclude_rated_down", .bool(excludeRatedDown)), ("deduplicate", .bool(deduplicate)),
            ("require_valid_json", .bool(requireValidJSON)), ("require_consistency", .bool(requireConsistency)),
            ("max_prompt_tokens", maxPromptTokens.map(JSONValue.int) ?? .null),
            ("max_completion_tokens", maxCompletionTokens.map(JSONValue.int) ?? .null),
        ])
    }
}
