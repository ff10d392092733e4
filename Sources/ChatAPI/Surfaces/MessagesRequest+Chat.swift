extension MessagesRequest {
    /// Anthropic's default when a chat request sets no token limit (`max_tokens` is required there).
    public static let defaultMaxTokens = 4096

    /// The Messages request a chat-completions request stands for, for an Anthropic teacher.
    ///
    /// System and developer messages join into `system`; consecutive turns of one role
    /// merge (Anthropic requires alternation), `tool` messages become `tool_result`
    /// blocks of a user turn and `tool_calls` become `tool_use` blocks. `temperature`
    /// is clamped to Anthropic's 0…1.
    public static func fromChat(_ chat: JSONValue) -> JSONValue {
        var system: [String] = []
        var turns: [(role: String, blocks: [JSONValue])] = []
        func add(_ role: String, _ blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if turns.last?.role == role { turns[turns.count - 1].blocks += blocks } else { turns.append((role, blocks)) }
        }
        for message in chat["messages"]?.arrayValue ?? [] {
            switch message["role"]?.stringValue {
            case "system"?, "developer"?: system.append(ChatMessageText.text(message["content"]))
            case "assistant"?:
                var blocks: [JSONValue] = []
                let text = ChatMessageText.text(message["content"])
                if !text.isEmpty { blocks.append(MessagesObject.textBlock(text)) }
                for call in message["tool_calls"]?.arrayValue ?? [] {
                    let arguments = call["function"]?["arguments"]?.stringValue ?? "{}"
                    blocks.append(MessagesObject.toolUseBlock(.init(id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                                                                    arguments: arguments), input: MessagesObject.input(arguments)))
                }
                add("assistant", blocks)
            case "tool"?, "function"?:
                add("user", [.object([("type", .string("tool_result")), ("tool_use_id", message["tool_call_id"] ?? .string("")),
                                      ("content", .string(ChatMessageText.text(message["content"])))])])
            default:
                add("user", userBlocks(message["content"]))
            }
        }
        var request: [(key: String, value: JSONValue)] = [("model", chat["model"] ?? .string(""))]
        if !system.isEmpty { request.append(("system", .string(system.joined(separator: "\n")))) }
        request.append(("messages", .array(turns.map { .object([("role", .string($0.role)), ("content", .array($0.blocks))]) })))
        let maxTokens = chat["max_completion_tokens"]?.intValue ?? chat["max_tokens"]?.intValue ?? defaultMaxTokens
        request.append(("max_tokens", .int(maxTokens)))
        if chat["stream"]?.boolValue == true { request.append(("stream", .bool(true))) }
        if let temperature = chat["temperature"]?.doubleValue { request.append(("temperature", .double(min(temperature, 1)))) }
        if let topP = chat["top_p"], topP != .null { request.append(("top_p", topP)) }
        switch chat["stop"] {
        case .string(let stop)?: request.append(("stop_sequences", .array([.string(stop)])))
        case .array(let stops)?: request.append(("stop_sequences", .array(stops)))
        default: break
        }
        if let user = chat["user"]?.stringValue { request.append(("metadata", .object([("user_id", .string(user))]))) }
        if let tools = chat["tools"]?.arrayValue, !tools.isEmpty {
            request.append(("tools", .array(tools.map { tool in
                let function = tool["function"]
                var members: [(key: String, value: JSONValue)] = [("name", function?["name"] ?? .string(""))]
                if let description = function?["description"] { members.append(("description", description)) }
                members.append(("input_schema", function?["parameters"] ?? .object([("type", .string("object"))])))
                return .object(members)
            })))
        }
        if let choice = anthropicToolChoice(chat["tool_choice"], parallel: chat["parallel_tool_calls"]?.boolValue) {
            request.append(("tool_choice", choice))
        }
        return .object(request)
    }

    /// A user message's content as Anthropic blocks.
    static func userBlocks(_ content: JSONValue?) -> [JSONValue] {
        guard let parts = content?.arrayValue else {
            let text = content?.stringValue ?? ""
            return [MessagesObject.textBlock(text)]
        }
        return parts.compactMap { part in
            switch part["type"]?.stringValue {
            case "text"?: return MessagesObject.textBlock(part["text"]?.stringValue ?? "")
            case "image_url"?:
                let url = part["image_url"]?["url"]?.stringValue ?? ""
                return .object([("type", .string("image")), ("source", imageSource(url))])
            default: return nil
            }
        }
    }

    /// An image source: a data URL as base64, anything else as a URL.
    static func imageSource(_ url: String) -> JSONValue {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), let semicolon = url.firstIndex(of: ";"), semicolon < comma {
            let mediaType = String(url[url.index(url.startIndex, offsetBy: 5)..<semicolon])
            return .object([("type", .string("base64")), ("media_type", .string(mediaType)),
                            ("data", .string(String(url[url.index(after: comma)...])))])
        }
        return .object([("type", .string("url")), ("url", .string(url))])
    }

    /// Anthropic's `tool_choice` for a chat one.
    static func anthropicToolChoice(_ choice: JSONValue?, parallel: Bool?) -> JSONValue? {
        var members: [(key: String, value: JSONValue)]
        switch choice {
        case .string("required")?: members = [("type", .string("any"))]
        case .string("none")?: members = [("type", .string("none"))]
        case .object?:
            guard let name = choice?["function"]?["name"] else { return nil }
            members = [("type", .string("tool")), ("name", name)]
        default:
            guard parallel == false else { return nil }
            members = [("type", .string("auto"))]
        }
        if parallel == false { members.append(("disable_parallel_tool_use", .bool(true))) }
        return .object(members)
    }
}

/// The text of a chat message's `content`: a string, or its text parts joined.
enum ChatMessageText {
    static func text(_ content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }
}
