/// Rebuilds a `chat.completion` object from the `chat.completion.chunk` events of a
/// streamed response, for the log.
///
/// It reads content, refusal and tool-call deltas per choice (a tool call's `id`
/// and `function.name` arrive in its first delta, its `arguments` in pieces), the
/// `finish_reason`, logprobs, and the trailing usage-only chunk (`"choices": []`).
/// It never produces bytes for the client: those are forwarded as received.
public struct StreamAccumulator: Sendable {
    private var header: [(key: String, value: JSONValue)] = []
    private var choices: [Int: ChoiceState] = [:]
    /// The `usage` object, once the usage chunk arrived.
    public private(set) var usage: JSONValue?
    /// An `error` object the upstream sent inside the stream, if any.
    public private(set) var streamError: JSONValue?
    /// True once `data: [DONE]` was seen.
    public private(set) var sawDone = false
    /// Number of chunk events consumed.
    public private(set) var chunkCount = 0

    /// Creates an empty accumulator.
    public init() {}

    /// Consumes one SSE event of the stream.
    public mutating func consume(_ event: SSEEvent) {
        let payload = event.data.trimmingSpaces
        if payload == "[DONE]" { sawDone = true; return }
        guard let chunk = try? JSONValue.parse(Array(payload.utf8)), case .object = chunk else { return }
        consume(chunk: chunk)
    }

    /// Consumes one chat item decoded from another surface's stream, without writing it
    /// out and parsing it again.
    public mutating func consume(_ item: ChatStreamItem) {
        switch item {
        case .done: sawDone = true
        case .error(let error): consume(chunk: .object([("error", error)]))
        case .delta(let delta): consume(chunk: delta.chunkJSON)
        }
    }

    /// Consumes one parsed chunk object (or an in-stream `{"error": ...}`).
    private mutating func consume(chunk: JSONValue) {
        if let error = chunk["error"] { streamError = error; return }
        chunkCount += 1
        for key in ["id", "created", "model", "system_fingerprint", "service_tier"] {
            if let value = chunk[key], value != .null, !header.contains(where: { $0.key == key }) {
                header.append((key, value))
            }
        }
        if let usage = chunk["usage"], usage != .null { self.usage = usage }
        for choice in chunk["choices"]?.arrayValue ?? [] {
            let index = choice["index"]?.intValue ?? 0
            choices[index, default: ChoiceState()].apply(choice)
        }
    }

    /// The completion id the upstream gave (`chatcmpl-...`), if seen.
    public var completionID: String? { header.first(where: { $0.key == "id" })?.value.stringValue }

    /// The finish reason of the first choice, if it finished.
    public var finishReason: String? { choices[choices.keys.min() ?? 0]?.finishReason }

    /// True if any content, refusal or tool-call delta has been seen.
    public var hasOutput: Bool { choices.values.contains { $0.hasOutput } }

    /// The reassembled response as a `chat.completion` object.
    public func completion() -> JSONValue {
        var members = header.filter { $0.key != "system_fingerprint" && $0.key != "service_tier" }
        members.insert(("object", .string("chat.completion")), at: min(1, members.count))
        members.append(("choices", .array(choices.keys.sorted().map { choices[$0]!.json(index: $0) })))
        if let usage { members.append(("usage", usage)) }
        members += header.filter { $0.key == "system_fingerprint" || $0.key == "service_tier" }
        return .object(members)
    }
}

/// What one choice of a stream has accumulated so far.
struct ChoiceState: Sendable {
    var role = "assistant"
    var content: String?
    var refusal: String?
    var toolCalls: [Int: ToolCallState] = [:]
    var finishReason: String?
    var logprobContent: [JSONValue] = []
    var sawLogprobs = false

    var hasOutput: Bool { content != nil || refusal != nil || !toolCalls.isEmpty }

    mutating func apply(_ choice: JSONValue) {
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        if let logprobs = choice["logprobs"], logprobs != .null {
            sawLogprobs = true
            logprobContent += logprobs["content"]?.arrayValue ?? []
        }
        guard let delta = choice["delta"] else { return }
        if let role = delta["role"]?.stringValue { self.role = role }
        // Appended in place: building a new string per delta made reassembly quadratic.
        if let text = delta["content"]?.stringValue { content.appendCreating(text) }
        if let text = delta["refusal"]?.stringValue { refusal.appendCreating(text) }
        for call in delta["tool_calls"]?.arrayValue ?? [] {
            let index = call["index"]?.intValue ?? toolCalls.count
            toolCalls[index, default: ToolCallState()].apply(call)
        }
    }

    func json(index: Int) -> JSONValue {
        var message: [(key: String, value: JSONValue)] = [
            ("role", .string(role)),
            ("content", content.map(JSONValue.string) ?? .null),
        ]
        if let refusal { message.append(("refusal", .string(refusal))) }
        if !toolCalls.isEmpty {
            message.append(("tool_calls", .array(toolCalls.keys.sorted().map { toolCalls[$0]!.json })))
        }
        return .object([
            ("index", .int(index)),
            ("message", .object(message)),
            ("logprobs", sawLogprobs ? .object([("content", .array(logprobContent))]) : .null),
            ("finish_reason", finishReason.map(JSONValue.string) ?? .null),
        ])
    }
}

/// One tool call assembled from its deltas.
struct ToolCallState: Sendable {
    var id: String?
    var type = "function"
    var name = ""
    var arguments = ""

    mutating func apply(_ delta: JSONValue) {
        if let id = delta["id"]?.stringValue { self.id = id }
        if let type = delta["type"]?.stringValue { self.type = type }
        if let function = delta["function"] {
            if let name = function["name"]?.stringValue { self.name += name }
            if let arguments = function["arguments"]?.stringValue { self.arguments += arguments }
        }
    }

    var json: JSONValue {
        .object([
            ("id", id.map(JSONValue.string) ?? .null),
            ("type", .string(type)),
            ("function", .object([("name", .string(name)), ("arguments", .string(arguments))])),
        ])
    }
}

extension Optional<String> {
    /// Appends `text`, starting the string if there is none yet.
    mutating func appendCreating(_ text: String) {
        if self == nil { self = text } else { self!.append(text) }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
