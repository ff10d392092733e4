import ChatAPI

/// Turns export rows into lines of each format. Rows that cannot be rendered
/// faithfully (unparsable bodies, no answer) yield nil and are skipped.
enum ExportRenderer {
    /// Message keys each format accepts; anything else (`refusal`, `annotations`, ...) is dropped.
    static let messageKeys: Set<String> = ["role", "content", "name", "tool_calls", "tool_call_id"]

    /// An SFT line (`openai-sft` or `trl-sft`) for an exchange.
    static func sft(_ format: ExportFormat, _ row: ExportRow) -> JSONValue? {
        guard let request = try? JSONValue.parse(row.request), let prompt = promptMessages(request),
              let answer = label(row) else { return nil }
        var members: [(key: String, value: JSONValue)]
        switch format {
        case .trlSFT: members = [("prompt", .array(prompt)), ("completion", .array([answer]))]
        default: members = [("messages", .array(prompt + [answer]))]
        }
        if let tools = request["tools"], tools.arrayValue?.isEmpty == false {
            members.append(("tools", tools))
            if format == .openAISFT, let parallel = request["parallel_tool_calls"]?.boolValue {
                members.append(("parallel_tool_calls", .bool(parallel)))
            }
        }
        return .object(members)
    }

    /// A DPO line (`openai-dpo` or `trl-dpo`) for a preference pair.
    static func dpo(_ format: ExportFormat, _ row: PairRow) -> JSONValue? {
        guard let request = try? JSONValue.parse(row.request), let prompt = promptMessages(request),
              let rejected = row.rejected, let chosen = row.chosen, chosen != rejected else { return nil }
        if format == .trlDPO {
            return .object([("prompt", .array(prompt)), ("chosen", .array([chosen])), ("rejected", .array([rejected]))])
        }
        var input: [(key: String, value: JSONValue)] = [("messages", .array(prompt))]
        if let tools = request["tools"], tools.arrayValue?.isEmpty == false {
            input.append(("tools", tools))
            if let parallel = request["parallel_tool_calls"]?.boolValue { input.append(("parallel_tool_calls", .bool(parallel))) }
        }
        return .object([("input", .object(input)), ("preferred_output", .array([chosen])),
                        ("non_preferred_output", .array([rejected]))])
    }

    /// A raw line: the request and response as logged, with string tags.
    static func raw(_ row: ExportRow) -> JSONValue? {
        guard let request = try? JSONValue.parse(row.request) else { return nil }
        let response = row.response.map { (try? JSONValue.parse($0)) ?? .string($0) } ?? .null
        var tags: [(key: String, value: JSONValue)] = [
            ("exchange_id", .string(row.id)), ("route", .string(row.route)), ("served_by", .string(row.servedBy)),
            ("status", .string(String(row.status))), ("prompt_hash", .string(row.promptHash)),
        ]
        if let list = row.tags.flatMap({ try? JSONValue.parse($0) })?.arrayValue?.compactMap(\.stringValue), !list.isEmpty {
            tags.append(("tags", .string(list.joined(separator: ","))))
        }
        return .object([("input", request), ("output", response), ("tags", .object(tags))])
    }

    /// The request's messages, cleaned; nil if there are none.
    static func promptMessages(_ request: JSONValue) -> [JSONValue]? {
        guard let messages = request["messages"]?.arrayValue, !messages.isEmpty else { return nil }
        let cleaned = messages.compactMap(clean)
        return cleaned.count == messages.count ? cleaned : nil
    }

    /// The training label of an exchange: its latest demonstration, else its first answer.
    static func label(_ row: ExportRow) -> JSONValue? {
        row.demonstration.flatMap(demonstrationMessage) ?? row.response.flatMap { assistant(inResponse: $0, index: 0) }
    }

    /// Choice `index`'s message in a `chat.completion` JSON text.
    static func assistant(inResponse text: String, index: Int) -> JSONValue? {
        guard let response = try? JSONValue.parse(text), let choices = response["choices"]?.arrayValue else { return nil }
        let choice = choices.first { $0["index"]?.intValue == index } ?? (index < choices.count ? choices[index] : nil)
        guard let message = choice?["message"].flatMap(clean), message["role"]?.stringValue == "assistant",
              message["content"]?.stringValue != nil || message["tool_calls"]?.arrayValue != nil else { return nil }
        return message
    }

    /// A stored demonstration (JSON text) as a clean message.
    static func demonstrationMessage(_ text: String) -> JSONValue? {
        (try? JSONValue.parse(text)).flatMap(clean)
    }

    /// `message` with only the keys fine-tuning accepts and no null values; `developer` becomes `system`.
    static func clean(_ message: JSONValue) -> JSONValue? {
        guard let members = message.objectValue, let role = message["role"]?.stringValue else { return nil }
        let kept = members.filter { messageKeys.contains($0.key) && $0.value != .null }
        let fixed = kept.map { $0.key == "role" && role == "developer" ? (key: "role", value: JSONValue.string("system")) : $0 }
        return .object(fixed)
    }
}
