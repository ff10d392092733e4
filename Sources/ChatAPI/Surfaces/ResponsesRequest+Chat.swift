extension ResponsesRequest {
    /// The Responses request a chat-completions request stands for, for a Responses teacher.
    ///
    /// Messages become `input` items (assistant `tool_calls` become `function_call`
    /// items, `tool` messages `function_call_output` items), function tools keep their
    /// fields, `response_format` becomes `text.format` and the token limit
    /// `max_output_tokens`. `store` is false: the conversation lives in Retort's log.
    public static func fromChat(_ chat: JSONValue) -> JSONValue {
        var input: [JSONValue] = []
        for message in chat["messages"]?.arrayValue ?? [] {
            let role = message["role"]?.stringValue ?? "user"
            switch role {
            case "tool", "function":
                input.append(.object([("type", .string("function_call_output")), ("call_id", message["tool_call_id"] ?? .string("")),
                                      ("output", .string(ChatMessageText.text(message["content"])))]))
            case "assistant":
                let text = ChatMessageText.text(message["content"])
                if !text.isEmpty { input.append(MessagesRequest.message("assistant", .string(text))) }
                for call in message["tool_calls"]?.arrayValue ?? [] {
                    input.append(.object([("type", .string("function_call")), ("call_id", call["id"] ?? .string("")),
                                          ("name", call["function"]?["name"] ?? .string("")),
                                          ("arguments", call["function"]?["arguments"] ?? .string("{}"))]))
                }
            default:
                input.append(.object([("role", .string(role)), ("content", inputContent(message["content"]))]))
            }
        }
        var request: [(key: String, value: JSONValue)] = [("model", chat["model"] ?? .string("")), ("input", .array(input)),
                                                          ("store", .bool(false))]
        if chat["stream"]?.boolValue == true { request.append(("stream", .bool(true))) }
        if let tokens = chat["max_completion_tokens"]?.intValue ?? chat["max_tokens"]?.intValue { request.append(("max_output_tokens", .int(tokens))) }
        for key in ["temperature", "top_p", "user", "metadata", "parallel_tool_calls"] {
            if let value = chat[key], value != .null { request.append((key, value)) }
        }
        if let tools = chat["tools"]?.arrayValue, !tools.isEmpty {
            request.append(("tools", .array(tools.map { tool in
                var members: [(key: String, value: JSONValue)] = [("type", .string("function"))]
                for (key, value) in tool["function"]?.objectValue ?? [] { members.append((key, value)) }
                return .object(members)
            })))
        }
        switch chat["tool_choice"] {
        case .string(let choice)?: request.append(("tool_choice", .string(choice)))
        case .object?: request.append(("tool_choice", .object([("type", .string("function")), ("name", chat["tool_choice"]?["function"]?["name"] ?? .null)])))
        default: break
        }
        if let format = chat["response_format"], let type = format["type"]?.stringValue, type != "text" {
            var members: [(key: String, value: JSONValue)] = [("type", .string(type))]
            for (key, value) in format["json_schema"]?.objectValue ?? [] { members.append((key, value)) }
            request.append(("text", .object([("format", .object(members))])))
        }
        return .object(request)
    }

    /// A chat message's content as Responses input content.
    static func inputContent(_ content: JSONValue?) -> JSONValue {
        guard let parts = content?.arrayValue else { return content ?? .string("") }
        return .array(parts.compactMap { part in
            switch part["type"]?.stringValue {
            case "text"?: return .object([("type", .string("input_text")), ("text", part["text"] ?? .string(""))])
            case "image_url"?: return .object([("type", .string("input_image")), ("image_url", part["image_url"]?["url"] ?? .string(""))])
            default: return nil
            }
        })
    }
}
