/// Writes a chat-completions stream as Anthropic's Messages events.
///
/// The first chunk sends `message_start`; text flows in a `text` block
/// (`content_block_start`, `text_delta`s), each tool call in a `tool_use` block whose
/// arguments flow as `input_json_delta`s. Blocks are sequential, so a new block closes
/// the open one. The chat stream's `[DONE]` closes the last block and sends
/// `message_delta` (stop reason and usage) and `message_stop`; an in-stream error
/// becomes an `error` event.
public struct MessagesStreamEncoder: SurfaceStreamEncoder {
    /// The message id (`msg_…`).
    public let id: String
    /// The model named when the upstream names none.
    public let model: String
    /// What has been streamed so far.
    public private(set) var parts = CompletionParts()
    private var started = false
    private var finished = false
    /// The open block: nil for text, the chat tool index for a tool call.
    private var openBlock: Int??
    private var blockCount = 0

    /// Creates an encoder for one message.
    public init(id: String, model: String) {
        self.id = id
        self.model = model
    }

    public mutating func encode(_ item: ChatStreamItem) -> [UInt8] {
        guard !finished else { return [] }
        switch item {
        case .delta(let delta): return encode(delta)
        case .error(let error):
            finished = true
            let status = error["code"]?.stringValue == "log_unavailable" ? 503 : 500
            return SSEEvent.bytes(event: "error", data: OpenAIError(status: status, body: .object([("error", error)])).anthropicJSON)
        case .done:
            finished = true
            var out = (started ? [] : start()) + closeBlock()
            let usage = parts.usage ?? .init(input: 0, output: 0)
            out += SSEEvent.bytes(event: "message_delta", data: .object([
                ("type", .string("message_delta")),
                ("delta", .object([("stop_reason", MessagesObject.stopReason(parts.finishReason ?? "stop").map(JSONValue.string) ?? .null),
                                   ("stop_sequence", .null)])),
                ("usage", MessagesObject.usageJSON(usage)),
            ]))
            return out + SSEEvent.bytes(event: "message_stop", data: .object([("type", .string("message_stop"))]))
        }
    }

    private mutating func encode(_ delta: ChatStreamDelta) -> [UInt8] {
        parts.apply(delta)
        var out = started ? [] : start()
        if let text = delta.content, !text.isEmpty {
            if openBlock != .some(nil) { out += closeBlock() + openBlock(nil, .object([("type", .string("text")), ("text", .string(""))])) }
            out += blockDelta(.object([("type", .string("text_delta")), ("text", .string(text))]))
        }
        for piece in delta.toolCalls {
            if openBlock != .some(piece.index) {
                var call = parts.toolCalls[piece.index]
                call.arguments = ""
                out += closeBlock() + openBlock(piece.index, MessagesObject.toolUseBlock(call, input: .object([])))
            }
            if let arguments = piece.arguments, !arguments.isEmpty {
                out += blockDelta(.object([("type", .string("input_json_delta")), ("partial_json", .string(arguments))]))
            }
        }
        return out
    }

    private mutating func start() -> [UInt8] {
        started = true
        let message = JSONValue.object([
            ("id", .string(id)), ("type", .string("message")), ("role", .string("assistant")), ("content", .array([])),
            ("model", .string(parts.model ?? model)), ("stop_reason", .null), ("stop_sequence", .null),
            ("usage", MessagesObject.usageJSON(.init(input: 0, output: 0))),
        ])
        return SSEEvent.bytes(event: "message_start", data: .object([("type", .string("message_start")), ("message", message)]))
    }

    private mutating func openBlock(_ block: Int?, _ contentBlock: JSONValue) -> [UInt8] {
        openBlock = .some(block)
        return SSEEvent.bytes(event: "content_block_start", data: .object([
            ("type", .string("content_block_start")), ("index", .int(blockCount)), ("content_block", contentBlock)]))
    }

    private func blockDelta(_ delta: JSONValue) -> [UInt8] {
        SSEEvent.bytes(event: "content_block_delta", data: .object([
            ("type", .string("content_block_delta")), ("index", .int(blockCount)), ("delta", delta)]))
    }

    private mutating func closeBlock() -> [UInt8] {
        guard openBlock != nil else { return [] }
        openBlock = nil
        defer { blockCount += 1 }
        return SSEEvent.bytes(event: "content_block_stop", data: .object([("type", .string("content_block_stop")), ("index", .int(blockCount))]))
    }
}

/// Reads an Anthropic Messages event stream back into chat-completions items.
public struct MessagesStreamDecoder: SurfaceStreamDecoder {
    private var header = ChatStreamDelta()
    private var inputUsage: CompletionParts.TokenUsage?
    /// The chat tool index of each `tool_use` block, by block index.
    private var toolIndex: [Int: Int] = [:]
    /// Unix seconds for the chunks' `created` (Anthropic's events carry no time).
    private let created: Int?

    /// Creates a decoder; `created` dates the chat chunks it writes.
    public init(created: Int? = nil) {
        self.created = created
    }

    public mutating func decode(_ event: SSEEvent) -> [ChatStreamItem] {
        guard let data = try? JSONValue.parse(Array(event.data.utf8)) else { return [] }
        var delta = header
        switch data["type"]?.stringValue ?? event.event {
        case "message_start"?:
            let message = data["message"]
            header = ChatStreamDelta(id: message?["id"]?.stringValue, model: message?["model"]?.stringValue, created: created)
            inputUsage = MessagesObject.usage(message?["usage"])
            delta = header
            delta.role = "assistant"
        case "content_block_start"?:
            guard let block = data["content_block"], block["type"]?.stringValue == "tool_use" else { return [] }
            let index = toolIndex.count
            toolIndex[data["index"]?.intValue ?? index] = index
            delta.toolCalls = [.init(index: index, id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "", arguments: "")]
        case "content_block_delta"?:
            let piece = data["delta"]
            switch piece?["type"]?.stringValue {
            case "text_delta"?: delta.content = piece?["text"]?.stringValue ?? ""
            case "input_json_delta"?:
                guard let index = data["index"]?.intValue.flatMap({ toolIndex[$0] }) else { return [] }
                delta.toolCalls = [.init(index: index, arguments: piece?["partial_json"]?.stringValue ?? "")]
            default: return []
            }
        case "message_delta"?:
            delta.finishReason = MessagesObject.finishReason(data["delta"]?["stop_reason"]?.stringValue) ?? "stop"
            var usage = header
            if var counted = MessagesObject.usage(data["usage"]) {
                // message_delta may repeat or omit the input counts that message_start gave.
                if data["usage"]?["input_tokens"]?.intValue == nil, let input = inputUsage {
                    counted.input = input.input
                    counted.cachedInput = input.cachedInput
                }
                usage.usage = counted
            }
            return [.delta(delta)] + (usage.usage == nil ? [] : [.delta(usage)])
        case "message_stop"?:
            return [.done]
        case "error"?:
            return [.error(data["error"] ?? .object([("message", .string("error"))]))]
        default:
            return []
        }
        return [.delta(delta)]
    }
}
