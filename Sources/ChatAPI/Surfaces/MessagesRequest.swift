/// An Anthropic `POST /v1/messages` body read into the chat-completions request it asks for.
///
/// `system` becomes the system message; `text` blocks become text, `image` blocks
/// `image_url` parts, an assistant's `tool_use` blocks its `tool_calls`, a user's
/// `tool_result` blocks `tool` messages (before the rest of that turn, as Anthropic
/// orders them). Client tools map one to one; Anthropic's server tools (web search,
/// code execution) need an Anthropic teacher.
public enum MessagesRequest {
    /// The chat-completions request for `json`; a stream asks for the usage chunk.
    ///
    /// - Throws: ``OpenAIError`` 400 naming the parameter (the HTTP edge writes it in
    ///   Anthropic's error shape).
    public static func chatRequest(_ json: JSONValue) throws(OpenAIError) -> JSONValue {
        guard case .object = json else { throw .invalidRequest("The request body must be a JSON object.") }
        let fields = FieldReader(json: json)
        guard let model = try fields.string("model"), !model.isEmpty else {
            throw .invalidRequest("model: Field required", param: "model", code: "missing_required_parameter")
        }
        guard let maxTokens = try fields.int("max_tokens", in: 1...Int(Int32.max)) else {
            throw .invalidRequest("max_tokens: Field required", param: "max_tokens", code: "missing_required_parameter")
        }
        var messages: [JSONValue] = []
        switch json["system"] {
        case .string(let text)?: messages.append(message("system", .string(text)))
        case .array(let blocks)?: messages.append(message("system", .string(text(of: blocks))))
        default: break
        }
        guard let turns = try fields.array("messages"), !turns.isEmpty else {
            throw .invalidRequest("messages: at least one message is required", param: "messages", code: "missing_required_parameter")
        }
        for (index, turn) in turns.enumerated() { messages += try chatMessages(turn, param: "messages.\(index)") }
        var chat: [(key: String, value: JSONValue)] = [("model", .string(model)), ("messages", .array(messages)),
                                                       ("max_tokens", .int(maxTokens))]
        if try fields.bool("stream") == true {
            chat += [("stream", .bool(true)), ("stream_options", .object([("include_usage", .bool(true))]))]
        }
        if let temperature = try fields.double("temperature", in: 0...1) { chat.append(("temperature", .double(temperature))) }
        if let topP = try fields.double("top_p", in: 0...1) { chat.append(("top_p", .double(topP))) }
        if let stop = try fields.array("stop_sequences"), !stop.isEmpty { chat.append(("stop", .array(stop))) }
        if let user = json["metadata"]?["user_id"]?.stringValue { chat.append(("user", .string(user))) }
        if let tools = try fields.array("tools"), !tools.isEmpty { chat.append(("tools", .array(try tools.enumerated().map(chatTool)))) }
        if let choice = try fields.object("tool_choice") {
            if let mapped = try chatToolChoice(choice) { chat.append(("tool_choice", mapped)) }
            if choice["disable_parallel_tool_use"]?.boolValue == true { chat.append(("parallel_tool_calls", .bool(false))) }
        }
        return .object(chat)
    }

    /// The chat messages of one Anthropic turn.
    static func chatMessages(_ turn: JSONValue, param: String) throws(OpenAIError) -> [JSONValue] {
        guard let role = turn["role"]?.stringValue, role == "user" || role == "assistant" else {
            throw .invalidRequest("\(param).role: Input should be 'user' or 'assistant'", param: "\(param).role", code: "invalid_value")
        }
        switch turn["content"] {
        case .string(let text)?: return [message(role, .string(text))]
        case .array(let blocks)?: return try role == "user" ? userMessages(blocks, param: param) : [assistantMessage(blocks, param: param)]
        default: throw .invalidRequest("\(param).content: Input should be a string or a list of content blocks", param: "\(param).content", code: "invalid_type")
        }
    }

    /// A user turn: its tool results as `tool` messages, then its text and images.
    static func userMessages(_ blocks: [JSONValue], param: String) throws(OpenAIError) -> [JSONValue] {
        var results: [JSONValue] = []
        var parts: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            switch block["type"]?.stringValue {
            case "text"?: parts.append(.object([("type", .string("text")), ("text", block["text"] ?? .string(""))]))
            case "image"?: parts.append(try imagePart(block, param: "\(param).content.\(index)"))
            case "tool_result"?:
                let content = block["content"]?.stringValue ?? text(of: block["content"]?.arrayValue ?? [])
                results.append(.object([("role", .string("tool")), ("tool_call_id", block["tool_use_id"] ?? .string("")),
                                        ("content", .string(content))]))
            default: throw unsupportedBlock(block, param: "\(param).content.\(index)")
            }
        }
        guard !parts.isEmpty else { return results }
        let onlyText = parts.allSatisfy { $0["type"]?.stringValue == "text" }
        return results + [message("user", onlyText ? .string(text(of: parts)) : .array(parts))]
    }

    /// An assistant turn: its text and its `tool_use` blocks as `tool_calls`.
    static func assistantMessage(_ blocks: [JSONValue], param: String) throws(OpenAIError) -> JSONValue {
        var texts: [String] = []
        var calls: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            switch block["type"]?.stringValue {
            case "text"?: texts.append(block["text"]?.stringValue ?? "")
            case "tool_use"?:
                let arguments = (block["input"] ?? .object([])).jsonString
                calls.append(.object([("id", block["id"] ?? .string("")), ("type", .string("function")),
                                      ("function", .object([("name", block["name"] ?? .string("")), ("arguments", .string(arguments))]))]))
            case "thinking"?, "redacted_thinking"?: continue
            default: throw unsupportedBlock(block, param: "\(param).content.\(index)")
            }
        }
        var members: [(key: String, value: JSONValue)] = [("role", .string("assistant")),
                                                          ("content", texts.isEmpty ? .null : .string(texts.joined()))]
        if !calls.isEmpty { members.append(("tool_calls", .array(calls))) }
        return .object(members)
    }

    /// An `image` block as an `image_url` part (a base64 source becomes a data URL).
    static func imagePart(_ block: JSONValue, param: String) throws(OpenAIError) -> JSONValue {
        let source = block["source"]
        let url: String
        switch source?["type"]?.stringValue {
        case "base64"?: url = "data:\(source?["media_type"]?.stringValue ?? "image/png");base64,\(source?["data"]?.stringValue ?? "")"
        case "url"?: url = source?["url"]?.stringValue ?? ""
        default: throw .invalidRequest("\(param).source: only base64 and url images can be translated", param: "\(param).source", code: "unsupported_value")
        }
        return .object([("type", .string("image_url")), ("image_url", .object([("url", .string(url))]))])
    }

    static func unsupportedBlock(_ block: JSONValue, param: String) -> OpenAIError {
        .invalidRequest("\(param): content blocks of type '\(block["type"]?.stringValue ?? "?")' need an Anthropic teacher (teacher.api: anthropic)",
                        param: param, code: "unsupported_value")
    }

    /// A chat function tool for an Anthropic client tool (`name`, `description`, `input_schema`).
    static func chatTool(_ index: Int, _ tool: JSONValue) throws(OpenAIError) -> JSONValue {
        guard let name = tool["name"]?.stringValue, tool["input_schema"] != nil else {
            throw .invalidRequest("tools.\(index): tools of type '\(tool["type"]?.stringValue ?? "?")' need an Anthropic teacher (teacher.api: anthropic)",
                                  param: "tools.\(index)", code: "unsupported_value")
        }
        var function: [(key: String, value: JSONValue)] = [("name", .string(name))]
        if let description = tool["description"] { function.append(("description", description)) }
        function.append(("parameters", tool["input_schema"]!))
        return .object([("type", .string("function")), ("function", .object(function))])
    }

    /// `tool_choice` in chat form: `auto`, `any` (required), `tool` (one function), `none`.
    static func chatToolChoice(_ choice: JSONValue) throws(OpenAIError) -> JSONValue? {
        switch choice["type"]?.stringValue {
        case "auto"?: return .string("auto")
        case "any"?: return .string("required")
        case "none"?: return .string("none")
        case "tool"?:
            guard let name = choice["name"]?.stringValue else {
                throw .invalidRequest("tool_choice.name: Field required", param: "tool_choice.name", code: "missing_required_parameter")
            }
            return .object([("type", .string("function")), ("function", .object([("name", .string(name))]))])
        default:
            throw .invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", param: "tool_choice.type", code: "invalid_value")
        }
    }

    static func message(_ role: String, _ content: JSONValue) -> JSONValue {
        .object([("role", .string(role)), ("content", content)])
    }

    /// The text blocks of a list, joined.
    static func text(of blocks: [JSONValue]) -> String {
        blocks.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }
}
