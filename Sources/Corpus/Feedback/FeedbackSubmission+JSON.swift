import ChatAPI

extension FeedbackSubmission {
    /// Largest comment or demonstration accepted, in UTF-8 bytes.
    public static let maximumTextBytes = 256 * 1024

    /// Parses and validates a feedback body (see design.md for the forms).
    ///
    /// - Throws: ``CorpusError/invalid(_:parameter:)`` naming the field at fault.
    public init(json: JSONValue) throws(CorpusError) {
        guard json.objectValue != nil else { throw .invalid("The feedback body must be a JSON object.", parameter: nil) }
        let reader = FeedbackFields(json: json)
        comment = try reader.text("comment")
        idempotencyKey = try reader.idempotencyKey()
        tags = try reader.tags()
        content = try Self.content(reader)
    }

    /// Parses a body from raw bytes.
    public init(body: some Collection<UInt8>) throws(CorpusError) {
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch { throw .invalid("The body is not valid JSON: \(error.reason).", parameter: nil) }
        try self.init(json: json)
    }

    private static func content(_ reader: FeedbackFields) throws(CorpusError) -> Content {
        let annotationKeys = ["rating", "score", "demonstration"]
        if reader.has("chosen") || reader.has("rejected") {
            if let key = (annotationKeys + ["exchange_id", "completion_id", "chosen_index", "rejected_index"]).first(where: reader.has) {
                throw .invalid("`\(key)` cannot be combined with a pairwise preference between exchanges.", parameter: key)
            }
            return .pairwise(chosen: try reader.identifier("chosen"), rejected: try reader.identifier("rejected"))
        }
        let target = try reader.target()
        if reader.has("chosen_index") || reader.has("rejected_index") {
            if let key = annotationKeys.first(where: reader.has) {
                throw .invalid("`\(key)` cannot be combined with a choice preference.", parameter: key)
            }
            let chosen = try reader.index("chosen_index"), rejected = try reader.index("rejected_index")
            guard chosen != rejected else { throw .invalid("`chosen_index` and `rejected_index` must differ.", parameter: "rejected_index") }
            return .choices(target: target, chosen: chosen, rejected: rejected)
        }
        let annotation = Annotation(target: target, thumbsUp: try reader.rating(), score: try reader.score(),
                                    demonstration: try reader.demonstration())
        guard annotation.thumbsUp != nil || annotation.score != nil || annotation.demonstration != nil || reader.has("comment") else {
            throw .invalid("Feedback needs one of `rating`, `score`, `comment`, `demonstration`, a pair (`chosen`/`rejected`) or `chosen_index`/`rejected_index`.", parameter: nil)
        }
        return .annotation(annotation)
    }
}

/// Typed access to the fields of a feedback body, each failure naming its field.
struct FeedbackFields {
    let json: JSONValue

    /// Whether `key` is present and not null.
    func has(_ key: String) -> Bool { json[key].map { $0 != .null } ?? false }

    /// A non-empty id string of at most 256 bytes.
    func identifier(_ key: String) throws(CorpusError) -> String {
        guard let value = json[key]?.stringValue, !value.isEmpty, value.utf8.count <= 256 else {
            throw .invalid("`\(key)` must be a non-empty string id.", parameter: key)
        }
        return value
    }

    /// The annotated exchange: `exchange_id` or `completion_id`, exactly one.
    func target() throws(CorpusError) -> FeedbackTarget {
        switch (has("exchange_id"), has("completion_id")) {
        case (true, false): return .exchange(try identifier("exchange_id"))
        case (false, true): return .completion(try identifier("completion_id"))
        case (true, true): throw .invalid("Give either `exchange_id` or `completion_id`, not both.", parameter: "completion_id")
        case (false, false): throw .invalid("Name the exchange: `exchange_id` (the x-retort-exchange-id header) or `completion_id`.", parameter: "exchange_id")
        }
    }

    /// A choice index, 0 to 127.
    func index(_ key: String) throws(CorpusError) -> Int {
        guard let value = json[key]?.intValue, value >= 0, value < 128 else {
            throw .invalid("`\(key)` must be a choice index (an integer from 0).", parameter: key)
        }
        return value
    }

    /// `up`/`down` or a boolean, as thumbs up (true) or down.
    func rating() throws(CorpusError) -> Bool? {
        guard has("rating") else { return nil }
        switch json["rating"] {
        case .string("up")?, .bool(true)?: return true
        case .string("down")?, .bool(false)?: return false
        default: throw .invalid("`rating` must be \"up\", \"down\" or a boolean.", parameter: "rating")
        }
    }

    /// A number from 0.0 to 1.0.
    func score() throws(CorpusError) -> Double? {
        guard has("score") else { return nil }
        guard let value = json["score"]?.doubleValue, value.isFinite, (0...1).contains(value) else {
            throw .invalid("`score` must be a number from 0.0 (worst) to 1.0 (best).", parameter: "score")
        }
        return value
    }

    /// A string within ``FeedbackSubmission/maximumTextBytes``.
    func text(_ key: String) throws(CorpusError) -> String? {
        guard has(key) else { return nil }
        guard let value = json[key]?.stringValue, value.utf8.count <= FeedbackSubmission.maximumTextBytes else {
            throw .invalid("`\(key)` must be a string of at most \(FeedbackSubmission.maximumTextBytes) bytes.", parameter: key)
        }
        return value
    }

    /// An assistant message (or a bare string), normalised to `{role, content}`.
    func demonstration() throws(CorpusError) -> JSONValue? {
        guard let value = json["demonstration"], value != .null else { return nil }
        let message: JSONValue = value.stringValue.map { .object([("role", .string("assistant")), ("content", .string($0))]) } ?? value
        guard message.objectValue != nil, message["role"].map({ $0.stringValue == "assistant" }) ?? true,
              let content = message["content"]?.stringValue, content.utf8.count <= FeedbackSubmission.maximumTextBytes else {
            throw .invalid("`demonstration` must be {\"role\": \"assistant\", \"content\": \"...\"}.", parameter: "demonstration")
        }
        return .object([("role", .string("assistant")), ("content", .string(content))])
    }

    /// A key of 1 to 255 bytes.
    func idempotencyKey() throws(CorpusError) -> String? {
        guard has("idempotency_key") else { return nil }
        guard let key = json["idempotency_key"]?.stringValue, !key.isEmpty, key.utf8.count <= 255 else {
            throw .invalid("`idempotency_key` must be a string of 1 to 255 bytes.", parameter: "idempotency_key")
        }
        return key
    }

    /// An array of strings or an object of string values, at most 16 KiB.
    func tags() throws(CorpusError) -> JSONValue? {
        guard let tags = json["tags"], tags != .null else { return nil }
        let strings = tags.arrayValue?.allSatisfy { $0.stringValue != nil }
            ?? tags.objectValue?.allSatisfy { $0.value.stringValue != nil } ?? false
        guard strings, tags.serialized().count <= 16 * 1024 else {
            throw .invalid("`tags` must be an array of strings or an object of string values.", parameter: "tags")
        }
        return tags
    }
}
