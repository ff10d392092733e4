import ChatAPI

extension ExchangeRecord {
    /// The record as JSON, with the request and response bodies embedded as JSON
    /// (as text when they do not parse). Never includes the teacher URL, which may
    /// carry credentials in its query string.
    public var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func int(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
        func body(_ value: String?) -> JSONValue {
            guard let value else { return .null }
            return (try? JSONValue.parse(value)) ?? .string(value)
        }
        return .object([
            ("id", .string(id)), ("created_at", .double(createdAt)), ("completed_at", number(completedAt)),
            ("route", .string(route)), ("served_by", .string(servedBy)), ("served_reason", text(servedReason)),
            ("upstream_model", text(upstreamModel)), ("completion_id", text(completionID)), ("status", .int(status)),
            ("error", text(error)), ("latency_ms", number(latencyMs)), ("ttft_ms", number(ttftMs)),
            ("prompt_tokens", int(promptTokens)), ("completion_tokens", int(completionTokens)), ("total_tokens", int(totalTokens)),
            ("finish_reason", text(finishReason)), ("stream", .bool(stream)), ("attempts", .int(attempts)),
            ("user", text(user)), ("tags", .array(tags.map(JSONValue.string))), ("metadata", body(metadata)),
            ("prompt_hash", .string(promptHash)), ("request", body(requestJSON)), ("response", body(responseJSON)),
            ("surface", .string(surface)), ("raw_request", body(rawRequestJSON)), ("raw_response", body(rawResponseJSON)),
        ])
    }
}

/// One exchange with everything said about it.
public struct ExchangeDetail: Sendable, Equatable {
    /// The logged exchange.
    public var record: ExchangeRecord
    /// Latest thumbs: 1 up, -1 down.
    public var rating: Int?
    /// Feedback about it, oldest first.
    public var feedback: [FeedbackRow]
    /// Other exchanges with the same prompt (ids, newest first, at most 20), for side-by-side comparison.
    public var samePrompt: [String]

    /// A detail.
    public init(record: ExchangeRecord, rating: Int?, feedback: [FeedbackRow], samePrompt: [String]) {
        self.record = record
        self.rating = rating
        self.feedback = feedback
        self.samePrompt = samePrompt
    }

    /// The detail as JSON: the record's fields plus `rating`, `feedback` and `same_prompt`.
    public var json: JSONValue {
        guard case .object(var members) = record.json else { return record.json }
        members.append(("rating", ratingJSON(rating)))
        members.append(("feedback", .array(feedback.map(\.json))))
        members.append(("same_prompt", .array(samePrompt.map(JSONValue.string))))
        return .object(members)
    }
}

extension SQLiteCorpus {
    /// The exchange with `id` (or with that completion id) and its feedback, or nil.
    public func detail(id: String) throws -> ExchangeDetail? {
        guard let record = try exchange(id: id) ?? exchange(completionID: id) else { return nil }
        let feedback = try FeedbackStore(reader: self).feedback(forExchange: record.id)
        return try withDatabase { db in
            let rating = try db.fetchOne("SELECT rating FROM exchanges WHERE id = ?", [record.id]) { try $0.optionalInt("rating") } ?? nil
            let same = try db.fetchAll("SELECT id FROM exchanges WHERE prompt_hash = ? AND id != ? ORDER BY seq DESC LIMIT 20",
                                       [record.promptHash, record.id]) { try $0.text("id") }
            return ExchangeDetail(record: record, rating: rating, feedback: feedback, samePrompt: same)
        }
    }
}
