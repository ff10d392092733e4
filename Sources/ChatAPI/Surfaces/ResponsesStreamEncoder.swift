/// Writes a chat-completions stream as the Responses API's semantic events.
///
/// The first chunk opens the response (`response.created`, `response.in_progress`);
/// text opens a `message` item and flows as `response.output_text.delta`; each tool
/// call opens a `function_call` item whose arguments flow as
/// `response.function_call_arguments.delta`. The chat stream's `[DONE]` closes every
/// item and sends `response.completed` (or `response.incomplete`) with the whole
/// response and its usage; an in-stream error becomes an `error` event.
public struct ResponsesStreamEncoder: SurfaceStreamEncoder {
    /// The response id (`resp_…`).
    public let id: String
    /// Unix seconds.
    public let createdAt: Int
    /// The Responses request, whose settings the response echoes.
    public let request: JSONValue
    /// What has been streamed so far.
    public private(set) var parts = CompletionParts()
    private var sequence = 0
    private var started = false
    private var finished = false
    private var messageOutputIndex: Int?
    /// Output index of each tool call, by its chat index.
    private var toolOutputIndex: [Int: Int] = [:]
    private var outputCount = 0

    /// Creates an encoder for one response.
    public init(id: String, createdAt: Int, request: JSONValue) {
        self.id = id
        self.createdAt = createdAt
        self.request = request
    }

    public mutating func encode(_ item: ChatStreamItem) -> [UInt8] {
        guard !finished else { return [] }
        switch item {
        case .delta(let delta): return encode(delta)
        case .error(let error):
            finished = true
            return event("error", [("code", error["code"] ?? .null), ("message", error["message"] ?? .string("error")),
                                   ("param", error["param"] ?? .null)])
        case .done:
            finished = true
            return (started ? [] : open()) + closeItems() + complete()
        }
    }

    private mutating func encode(_ delta: ChatStreamDelta) -> [UInt8] {
        parts.apply(delta)
        var out = started ? [] : open()
        if let text = delta.content, !text.isEmpty {
            if messageOutputIndex == nil { out += openMessage() }
            out += event("response.output_text.delta", [("item_id", .string(ResponsesObject.messageID(id))),
                                                         ("output_index", .int(messageOutputIndex!)), ("content_index", .int(0)),
                                                         ("delta", .string(text)), ("logprobs", .array([]))])
        }
        for piece in delta.toolCalls {
            if toolOutputIndex[piece.index] == nil { out += openToolCall(piece.index) }
            if let arguments = piece.arguments, !arguments.isEmpty {
                out += event("response.function_call_arguments.delta", [
                    ("item_id", .string(ResponsesObject.functionCallID(id, piece.index))),
                    ("output_index", .int(toolOutputIndex[piece.index]!)), ("delta", .string(arguments))])
            }
        }
        return out
    }

    private mutating func open() -> [UInt8] {
        started = true
        let response = ResponsesObject.json(parts, id: id, createdAt: createdAt, request: request, status: "in_progress")
        return event("response.created", [("response", response)]) + event("response.in_progress", [("response", response)])
    }

    private mutating func openMessage() -> [UInt8] {
        messageOutputIndex = outputCount
        outputCount += 1
        let itemID = ResponsesObject.messageID(id)
        return event("response.output_item.added", [("output_index", .int(messageOutputIndex!)),
                                                     ("item", ResponsesObject.messageItem(id: itemID, text: nil, status: "in_progress"))])
            + event("response.content_part.added", [("item_id", .string(itemID)), ("output_index", .int(messageOutputIndex!)),
                                                     ("content_index", .int(0)), ("part", ResponsesObject.outputText(""))])
    }

    private mutating func openToolCall(_ index: Int) -> [UInt8] {
        toolOutputIndex[index] = outputCount
        outputCount += 1
        var call = parts.toolCalls[index]
        call.arguments = ""
        let item = ResponsesObject.functionCallItem(id: ResponsesObject.functionCallID(id, index), call: call, status: "in_progress")
        return event("response.output_item.added", [("output_index", .int(outputCount - 1)), ("item", item)])
    }

    /// Closes every open item, in output order.
    private mutating func closeItems() -> [UInt8] {
        var closing: [(Int, Int?)] = toolOutputIndex.map { ($0.value, $0.key) }
        if let messageOutputIndex { closing.append((messageOutputIndex, nil)) }
        var out: [UInt8] = []
        for (outputIndex, toolIndex) in closing.sorted(by: { $0.0 < $1.0 }) {
            if let toolIndex {
                let call = parts.toolCalls[toolIndex]
                let itemID = ResponsesObject.functionCallID(id, toolIndex)
                out += event("response.function_call_arguments.done", [("item_id", .string(itemID)), ("output_index", .int(outputIndex)),
                                                                        ("arguments", .string(call.arguments))])
                out += event("response.output_item.done", [("output_index", .int(outputIndex)),
                                                            ("item", ResponsesObject.functionCallItem(id: itemID, call: call, status: "completed"))])
            } else {
                let itemID = ResponsesObject.messageID(id)
                let text = parts.text ?? ""
                out += event("response.output_text.done", [("item_id", .string(itemID)), ("output_index", .int(outputIndex)),
                                                            ("content_index", .int(0)), ("text", .string(text)), ("logprobs", .array([]))])
                out += event("response.content_part.done", [("item_id", .string(itemID)), ("output_index", .int(outputIndex)),
                                                             ("content_index", .int(0)), ("part", ResponsesObject.outputText(text))])
                out += event("response.output_item.done", [("output_index", .int(outputIndex)),
                                                            ("item", ResponsesObject.messageItem(id: itemID, text: text, status: "completed"))])
            }
        }
        return out
    }

    private mutating func complete() -> [UInt8] {
        let response = ResponsesObject.json(parts, id: id, createdAt: createdAt, request: request)
        let type = response["status"]?.stringValue == "incomplete" ? "response.incomplete" : "response.completed"
        return event(type, [("response", response)])
    }

    /// One event: `event: TYPE` and its data with `type` and `sequence_number`.
    private mutating func event(_ type: String, _ members: [(key: String, value: JSONValue)]) -> [UInt8] {
        defer { sequence += 1 }
        return SSEEvent.bytes(event: type, data: .object([("type", .string(type))] + members + [("sequence_number", .int(sequence))]))
    }
}

/// Reads a Responses API event stream back into chat-completions items: text and
/// argument deltas as they come, the finish reason and usage from the closing
/// `response.completed`/`response.incomplete`, a failure as an error.
public struct ResponsesStreamDecoder: SurfaceStreamDecoder {
    private var header = ChatStreamDelta()
    /// The chat index of each function-call item, by item id.
    private var toolIndex: [String: Int] = [:]
    /// The `response` object of the closing event, once it arrived.
    public private(set) var finalResponse: JSONValue?

    /// Creates a decoder.
    public init() {}

    public mutating func decode(_ event: SSEEvent) -> [ChatStreamItem] {
        guard let data = try? JSONValue.parse(Array(event.data.utf8)) else { return [] }
        switch data["type"]?.stringValue ?? event.event {
        case "response.created"?:
            header = ChatStreamDelta(id: data["response"]?["id"]?.stringValue, model: data["response"]?["model"]?.stringValue,
                                     created: data["response"]?["created_at"]?.intValue)
            var delta = header
            delta.role = "assistant"
            return [.delta(delta)]
        case "response.output_text.delta"?:
            var delta = header
            delta.content = data["delta"]?.stringValue ?? ""
            return [.delta(delta)]
        case "response.output_item.added"?:
            guard let item = data["item"], item["type"]?.stringValue == "function_call" else { return [] }
            let index = toolIndex.count
            toolIndex[item["id"]?.stringValue ?? "\(index)"] = index
            var delta = header
            delta.toolCalls = [.init(index: index, id: item["call_id"]?.stringValue ?? "", name: item["name"]?.stringValue ?? "",
                                     arguments: item["arguments"]?.stringValue ?? "")]
            return [.delta(delta)]
        case "response.function_call_arguments.delta"?:
            guard let index = data["item_id"]?.stringValue.flatMap({ toolIndex[$0] }) else { return [] }
            var delta = header
            delta.toolCalls = [.init(index: index, arguments: data["delta"]?.stringValue ?? "")]
            return [.delta(delta)]
        case "response.completed"?, "response.incomplete"?:
            let response = data["response"] ?? .null
            finalResponse = response
            let parts = ResponsesObject.parts(response)
            var finish = header
            finish.finishReason = parts.finishReason ?? "stop"
            var usage = header
            usage.usage = parts.usage
            return [.delta(finish)] + (parts.usage == nil ? [] : [.delta(usage)]) + [.done]
        case "response.failed"?:
            finalResponse = data["response"]
            return [.error(data["response"]?["error"] ?? .object([("message", .string("the response failed"))]))]
        case "error"?:
            return [.error(.object([("message", data["message"] ?? .string("error")), ("code", data["code"] ?? .null)]))]
        default:
            return []
        }
    }
}
