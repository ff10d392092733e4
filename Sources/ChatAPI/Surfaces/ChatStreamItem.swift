/// One event of a chat-completions stream, read into its parts: a chunk's delta, an
/// in-stream error, or the closing `[DONE]`.
///
/// Stream encoders for the other surfaces read chat events as these; stream decoders
/// write them, and ``sseBytes`` turns them back into the chat wire form.
public enum ChatStreamItem: Sendable, Equatable {
    /// A `chat.completion.chunk` (its first choice).
    case delta(ChatStreamDelta)
    /// `{"error": {...}}` sent inside the stream; the error object.
    case error(JSONValue)
    /// `data: [DONE]`.
    case done

    /// Reads a chat SSE event; nil for one that is neither JSON nor `[DONE]`.
    public init?(event: SSEEvent) {
        let payload = event.data.trimmingSpaces
        if payload == "[DONE]" {
            self = .done
            return
        }
        guard let json = try? JSONValue.parse(Array(payload.utf8)), case .object = json else { return nil }
        if let error = json["error"], error != .null {
            self = .error(error)
        } else {
            self = .delta(ChatStreamDelta(chunk: json))
        }
    }

    /// The event in the chat wire form, `data: …\n\n`.
    public var sseBytes: [UInt8] {
        switch self {
        case .done: return Array("data: [DONE]\n\n".utf8)
        case .error(let error): return SSEEvent.bytes(data: .object([("error", error)]))
        case .delta(let delta): return SSEEvent.bytes(data: delta.chunkJSON)
        }
    }
}

/// The first choice of a `chat.completion.chunk`, with the chunk's id, model and usage.
public struct ChatStreamDelta: Sendable, Equatable {
    /// The completion id.
    public var id: String?
    /// The model.
    public var model: String?
    /// Unix seconds.
    public var created: Int?
    /// `delta.role`, in the first chunk.
    public var role: String?
    /// A piece of the answer's text.
    public var content: String?
    /// Pieces of tool calls.
    public var toolCalls: [ToolCallDelta] = []
    /// Set on the chunk that ends the choice.
    public var finishReason: String?
    /// The usage, on the trailing usage chunk.
    public var usage: CompletionParts.TokenUsage?

    /// A piece of one tool call: its `id` and `name` come with the first piece.
    public struct ToolCallDelta: Sendable, Equatable {
        /// Which call this piece belongs to.
        public var index: Int
        /// The call id (first piece).
        public var id: String?
        /// The function name (first piece).
        public var name: String?
        /// A piece of the arguments' JSON text.
        public var arguments: String?

        /// Creates a piece.
        public init(index: Int, id: String? = nil, name: String? = nil, arguments: String? = nil) {
            self.index = index
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    /// An empty delta.
    public init(id: String? = nil, model: String? = nil, created: Int? = nil) {
        self.id = id
        self.model = model
        self.created = created
    }

    /// Reads a chunk object.
    public init(chunk: JSONValue) {
        id = chunk["id"]?.stringValue
        model = chunk["model"]?.stringValue
        created = chunk["created"]?.intValue
        usage = chunk["usage"].flatMap(CompletionParts.TokenUsage.init(chat:))
        guard let choice = chunk["choices"]?.arrayValue?.first else { return }
        finishReason = choice["finish_reason"]?.stringValue
        let delta = choice["delta"]
        role = delta?["role"]?.stringValue
        content = delta?["content"]?.stringValue ?? delta?["refusal"]?.stringValue
        toolCalls = (delta?["tool_calls"]?.arrayValue ?? []).enumerated().map { position, call in
            ToolCallDelta(index: call["index"]?.intValue ?? position, id: call["id"]?.stringValue,
                          name: call["function"]?["name"]?.stringValue, arguments: call["function"]?["arguments"]?.stringValue)
        }
    }

    /// This delta as a `chat.completion.chunk` (a usage-only chunk has no choices).
    public var chunkJSON: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("id", id.map(JSONValue.string) ?? .null), ("object", .string("chat.completion.chunk")),
            ("created", created.map(JSONValue.int) ?? .null), ("model", model.map(JSONValue.string) ?? .null),
        ]
        let hasChoice = role != nil || content != nil || !toolCalls.isEmpty || finishReason != nil
        if hasChoice {
            var delta: [(key: String, value: JSONValue)] = []
            if let role { delta.append(("role", .string(role))) }
            if let content { delta.append(("content", .string(content))) }
            if !toolCalls.isEmpty {
                delta.append(("tool_calls", .array(toolCalls.map { call in
                    var function: [(key: String, value: JSONValue)] = []
                    if let name = call.name { function.append(("name", .string(name))) }
                    function.append(("arguments", .string(call.arguments ?? "")))
                    var members: [(key: String, value: JSONValue)] = [("index", .int(call.index))]
                    if let id = call.id { members += [("id", .string(id)), ("type", .string("function"))] }
                    members.append(("function", .object(function)))
                    return .object(members)
                })))
            }
            members.append(("choices", .array([.object([("index", .int(0)), ("delta", .object(delta)),
                                                         ("finish_reason", finishReason.map(JSONValue.string) ?? .null)])])))
        } else {
            members.append(("choices", .array([])))
        }
        if let usage { members.append(("usage", usage.chatJSON)) }
        return .object(members)
    }
}

extension SSEEvent {
    /// `event: NAME` (when given) and `data: JSON`, ending the event.
    public static func bytes(event: String? = nil, data: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        if let event { out += Array("event: \(event)\n".utf8) }
        out += Array("data: ".utf8)
        data.write(into: &out)
        out += [0x0A, 0x0A]
        return out
    }
}

/// Turns a chat-completions stream into another surface's event stream.
public protocol SurfaceStreamEncoder: Sendable {
    /// The bytes to send for one chat event.
    mutating func encode(_ item: ChatStreamItem) -> [UInt8]
}

/// Turns another surface's event stream into chat-completions stream items.
public protocol SurfaceStreamDecoder: Sendable {
    /// The chat items one event of the surface's stream stands for.
    mutating func decode(_ event: SSEEvent) -> [ChatStreamItem]
}
