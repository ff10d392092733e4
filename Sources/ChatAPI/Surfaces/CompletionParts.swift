/// The part of a `chat.completion` that every surface carries: the first choice's text
/// and tool calls, why it finished, and the token usage.
///
/// Each surface reads its own objects into these parts and writes them back out, so a
/// translation between two surfaces is a read followed by a write.
public struct CompletionParts: Sendable, Equatable {
    /// The upstream's id for the answer (`chatcmpl-…`, `resp_…`, `msg_…`).
    public var id: String?
    /// The model that answered.
    public var model: String?
    /// Unix seconds.
    public var created: Int?
    /// The answer's text; nil when there is none (a pure tool call).
    public var text: String?
    /// The tool calls, in order.
    public var toolCalls: [ToolCall] = []
    /// The chat-completions finish reason: `stop`, `length`, `tool_calls`, `content_filter`.
    public var finishReason: String?
    /// Token counts, when the upstream reported them.
    public var usage: TokenUsage?

    /// One function call the model asked for.
    public struct ToolCall: Sendable, Equatable {
        /// The call id the tool result refers back to.
        public var id: String
        /// The function's name.
        public var name: String
        /// The arguments as a JSON text (possibly partial while streaming).
        public var arguments: String

        /// Creates a call.
        public init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    /// Token counts in the chat-completions sense.
    public struct TokenUsage: Sendable, Equatable {
        /// Prompt tokens, cached ones included.
        public var input: Int
        /// Completion tokens, reasoning included.
        public var output: Int
        /// Prompt tokens read from a cache.
        public var cachedInput = 0
        /// Completion tokens spent on hidden reasoning.
        public var reasoning = 0

        /// Creates counts.
        public init(input: Int, output: Int, cachedInput: Int = 0, reasoning: Int = 0) {
            self.input = input
            self.output = output
            self.cachedInput = cachedInput
            self.reasoning = reasoning
        }
    }

    /// Empty parts.
    public init() {}

    /// Reads a `chat.completion` object (its first choice).
    public init(completion: JSONValue) {
        id = completion["id"]?.stringValue
        model = completion["model"]?.stringValue
        created = completion["created"]?.intValue
        let choice = completion["choices"]?.arrayValue?.first
        let message = choice?["message"]
        text = message?["content"]?.stringValue ?? message?["refusal"]?.stringValue
        toolCalls = (message?["tool_calls"]?.arrayValue ?? []).map { call in
            ToolCall(id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                     arguments: call["function"]?["arguments"]?.stringValue ?? "")
        }
        finishReason = choice?["finish_reason"]?.stringValue
        usage = completion["usage"].flatMap(TokenUsage.init(chat:))
    }

    /// These parts as a `chat.completion` object (one choice).
    public var completionJSON: JSONValue {
        var message: [(key: String, value: JSONValue)] = [("role", .string("assistant")), ("content", text.map(JSONValue.string) ?? .null)]
        if !toolCalls.isEmpty {
            message.append(("tool_calls", .array(toolCalls.map { call in
                .object([("id", .string(call.id)), ("type", .string("function")),
                         ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))]))])
            })))
        }
        var members: [(key: String, value: JSONValue)] = [
            ("id", id.map(JSONValue.string) ?? .null), ("object", .string("chat.completion")),
            ("created", created.map(JSONValue.int) ?? .null), ("model", model.map(JSONValue.string) ?? .null),
            ("choices", .array([.object([("index", .int(0)), ("message", .object(message)),
                                          ("finish_reason", finishReason.map(JSONValue.string) ?? .null)])])),
        ]
        if let usage { members.append(("usage", usage.chatJSON)) }
        return .object(members)
    }
}

extension CompletionParts.TokenUsage {
    /// Reads a chat-completions `usage` object.
    public init?(chat usage: JSONValue) {
        guard let input = usage["prompt_tokens"]?.intValue, let output = usage["completion_tokens"]?.intValue else { return nil }
        self.init(input: input, output: output,
                  cachedInput: usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
                  reasoning: usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0)
    }

    /// The chat-completions `usage` object.
    public var chatJSON: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("prompt_tokens", .int(input)), ("completion_tokens", .int(output)),
                                                          ("total_tokens", .int(input + output))]
        if cachedInput > 0 { members.append(("prompt_tokens_details", .object([("cached_tokens", .int(cachedInput))]))) }
        if reasoning > 0 { members.append(("completion_tokens_details", .object([("reasoning_tokens", .int(reasoning))]))) }
        return .object(members)
    }
}

extension CompletionParts {
    /// Adds one streamed delta: text and argument pieces are appended, the rest replaced.
    public mutating func apply(_ delta: ChatStreamDelta) {
        id = id ?? delta.id
        model = model ?? delta.model
        created = created ?? delta.created
        if let content = delta.content { text = (text ?? "") + content }
        for piece in delta.toolCalls {
            while toolCalls.count <= piece.index { toolCalls.append(ToolCall(id: "", name: "", arguments: "")) }
            if let id = piece.id { toolCalls[piece.index].id = id }
            if let name = piece.name { toolCalls[piece.index].name = name }
            toolCalls[piece.index].arguments += piece.arguments ?? ""
        }
        if let reason = delta.finishReason { finishReason = reason }
        if let usage = delta.usage { self.usage = usage }
    }
}

extension CompletionParts {
    /// This completion as the events of a chat-completions stream: the whole message in one
    /// delta, then the finish reason, the usage when `includeUsage` (and known), and
    /// `[DONE]`. For a client that asked for a stream of an answer that came whole (a
    /// teacher that ignores `stream`); ``apply(_:)`` reads the events back into these parts.
    public func streamItems(includeUsage: Bool) -> [ChatStreamItem] {
        var message = ChatStreamDelta(id: id, model: model, created: created)
        message.role = "assistant"
        message.content = text ?? (toolCalls.isEmpty ? "" : nil)
        message.toolCalls = toolCalls.enumerated().map { index, call in
            ChatStreamDelta.ToolCallDelta(index: index, id: call.id, name: call.name, arguments: call.arguments)
        }
        var end = ChatStreamDelta(id: id, model: model, created: created)
        end.finishReason = finishReason ?? "stop"
        var items: [ChatStreamItem] = [.delta(message), .delta(end)]
        if includeUsage, let usage {
            var usageOnly = ChatStreamDelta(id: id, model: model, created: created)
            usageOnly.usage = usage
            items.append(.delta(usageOnly))
        }
        items.append(.done)
        return items
    }
}
