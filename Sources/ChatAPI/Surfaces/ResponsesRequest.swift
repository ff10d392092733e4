/// A `POST /v1/responses` body read into the chat-completions request it asks for.
///
/// `instructions` becomes the system message, `input` (a string or a list of items:
/// messages, `function_call`, `function_call_output`) the conversation, `text.format`
/// the `response_format`, `max_output_tokens` the `max_completion_tokens`; function
/// tools map one to one. Built-in tools (web search, file search, computer use) exist
/// only on a Responses teacher, so translating them is a 400.
public enum ResponsesRequest {
    /// The chat-completions request for `json`; a stream asks for the usage chunk, which
    /// the closing `response.completed` event needs.
    ///
    /// - Parameter previous: the conversation of the response named by
    ///   `previous_response_id` (its messages and answer in chat form), if it is known.
    /// - Throws: ``OpenAIError`` 400 naming the parameter that cannot be translated.
    public static func chatRequest(_ json: JSONValue, previous: [JSONValue]? = nil) throws(OpenAIError) -> JSONValue {
        guard case .object = json else { throw .invalidRequest("The request body must be a JSON object.") }
        let fields = FieldReader(json: json)
        guard let model = try fields.string("model"), !model.isEmpty else {
            throw .invalidRequest("You must provide a model parameter.", param: "model", code: "missing_required_parameter")
        }
        var messages: [JSONValue] = []
        if let instructions = try fields.string("instructions") { messages.append(message("system", .string(instructions))) }
        if let id = try fields.string("previous_response_id") {
            guard let previous else {
                throw .invalidRequest("Previous response with id '\(id)' not found.", param: "previous_response_id", code: "previous_response_not_found")
            }
            // The earlier response's instructions are not carried over (as on OpenAI's side).
            messages += previous.first?["role"]?.stringValue == "system" ? Array(previous.dropFirst()) : previous
        }
        messages += try inputMessages(json["input"])
        var chat: [(key: String, value: JSONValue)] = [("model", .string(model)), ("messages", .array(messages))]
        let stream = try fields.bool("stream") ?? false
        if stream {
            chat += [("stream", .bool(true)), ("stream_options", .object([("include_usage", .bool(true))]))]
        }
        if let tokens = try fields.int("max_output_tokens", in: 1...Int(Int32.max)) { chat.append(("max_completion_tokens", .int(tokens))) }
        for key in ["temperature", "top_p", "user", "metadata", "parallel_tool_calls", "seed"] {
            if let value = json[key], value != .null { chat.append((key, value)) }
        }
        if let top = try fields.int("top_logprobs", in: 0...20) { chat += [("logprobs", .bool(true)), ("top_logprobs", .int(top))] }
        if let tools = try fields.array("tools"), !tools.isEmpty { chat.append(("tools", .array(try tools.enumerated().map(chatTool)))) }
        if let choice = json["tool_choice"], choice != .null { chat.append(("tool_choice", try chatToolChoice(choice))) }
        if let format = json["text"]?["format"], let responseFormat = try chatResponseFormat(format) {
            chat.append(("response_format", responseFormat))
        }
        return .object(chat)
    }

    /// The chat messages of `input`.
    static func inputMessages(_ input: JSONValue?) throws(OpenAIError) -> [JSONValue] {
        switch input {
        case .string(let text)?: return [message("user", .string(text))]
        case .array(let items)?:
            var messages: [JSONValue] = []
            for (index, item) in items.enumerated() { try append(item, param: "input[\(index)]", to: &messages) }
            guard !messages.isEmpty else {
                throw .invalidRequest("Invalid 'input': empty array.", param: "input", code: "empty_array")
            }
            return messages
        case nil, .null?:
            throw .invalidRequest("Missing required parameter: 'input'.", param: "input", code: "missing_required_parameter")
        case let other?:
            throw .invalidRequest("Invalid type for 'input': expected a string or an array, but got \(other.typeName).", param: "input", code: "invalid_type")
        }
    }

    /// Appends the chat message(s) one input item stands for.
    static func append(_ item: JSONValue, param: String, to messages: inout [JSONValue]) throws(OpenAIError) {
        guard case .object = item else {
            throw .invalidRequest("Invalid type for '\(param)': expected an object, but got \(item.typeName).", param: param, code: "invalid_type")
        }
        switch item["type"]?.stringValue ?? "message" {
        case "message":
            guard let role = item["role"]?.stringValue, ["user", "system", "developer", "assistant"].contains(role) else {
                throw .invalidRequest("Invalid value for '\(param).role': expected one of 'user', 'system', 'developer', 'assistant'.", param: "\(param).role", code: "invalid_value")
            }
            messages.append(message(role, try content(item["content"], role: role, param: "\(param).content")))
        case "function_call":
            guard let callID = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else {
                throw .invalidRequest("'\(param)' of type function_call needs 'call_id' and 'name'.", param: param, code: "missing_required_parameter")
            }
            let call = JSONValue.object([("id", .string(callID)), ("type", .string("function")),
                                         ("function", .object([("name", .string(name)), ("arguments", item["arguments"] ?? .string("{}"))]))])
            // Consecutive calls belong to one assistant turn.
            if let last = messages.last, last["role"]?.stringValue == "assistant", let calls = last["tool_calls"]?.arrayValue {
                messages[messages.count - 1] = last.setting("tool_calls", to: .array(calls + [call]))
            } else {
                messages.append(.object([("role", .string("assistant")), ("content", .null), ("tool_calls", .array([call]))]))
            }
        case "function_call_output":
            guard let callID = item["call_id"]?.stringValue else {
                throw .invalidRequest("'\(param)' of type function_call_output needs 'call_id'.", param: "\(param).call_id", code: "missing_required_parameter")
            }
            let output = item["output"]?.stringValue ?? text(of: item["output"]?.arrayValue ?? [])
            messages.append(.object([("role", .string("tool")), ("tool_call_id", .string(callID)), ("content", .string(output))]))
        case "reasoning":
            return  // hidden reasoning of an earlier turn: not part of a chat conversation
        case let type:
            throw .invalidRequest("Input items of type '\(type)' need a teacher that speaks the Responses API (teacher.api: responses).",
                                  param: "\(param).type", code: "unsupported_value")
        }
    }

    /// A message's content in chat form: a string, or parts (`input_text`/`output_text`
    /// become `text`, `input_image` becomes `image_url`).
    static func content(_ value: JSONValue?, role: String, param: String) throws(OpenAIError) -> JSONValue {
        switch value {
        case .string(let text)?: return .string(text)
        case .array(let parts)?:
            var converted: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                switch part["type"]?.stringValue {
                case "input_text", "output_text", "text"?:
                    converted.append(.object([("type", .string("text")), ("text", part["text"] ?? .string(""))]))
                case "refusal"?:
                    converted.append(.object([("type", .string("text")), ("text", part["refusal"] ?? .string(""))]))
                case "input_image"?:
                    guard let url = part["image_url"]?.stringValue else {
                        throw .invalidRequest("'\(param)[\(index)]': only images given by 'image_url' can be translated.", param: "\(param)[\(index)]", code: "unsupported_value")
                    }
                    var image: [(key: String, value: JSONValue)] = [("url", .string(url))]
                    if let detail = part["detail"] { image.append(("detail", detail)) }
                    converted.append(.object([("type", .string("image_url")), ("image_url", .object(image))]))
                default:
                    throw .invalidRequest("Content parts of type '\(part["type"]?.stringValue ?? "?")' need a teacher that speaks the Responses API.",
                                          param: "\(param)[\(index)].type", code: "unsupported_value")
                }
            }
            // Text alone reads as a string, the form chat assistant and system turns require.
            if converted.allSatisfy({ $0["type"]?.stringValue == "text" }) { return .string(text(of: converted)) }
            return .array(converted)
        default:
            throw .invalidRequest("Invalid type for '\(param)': expected a string or an array.", param: param, code: "invalid_type")
        }
    }

    /// A chat function tool for a Responses tool (`{"type":"function","name",…}`).
    static func chatTool(_ index: Int, _ tool: JSONValue) throws(OpenAIError) -> JSONValue {
        guard tool["type"]?.stringValue == "function", let name = tool["name"]?.stringValue else {
            throw .invalidRequest("Tools of type '\(tool["type"]?.stringValue ?? "?")' need a teacher that speaks the Responses API (teacher.api: responses).",
                                  param: "tools[\(index)].type", code: "unsupported_value")
        }
        var function: [(key: String, value: JSONValue)] = [("name", .string(name))]
        for key in ["description", "parameters", "strict"] { if let value = tool[key], value != .null { function.append((key, value)) } }
        return .object([("type", .string("function")), ("function", .object(function))])
    }

    /// `tool_choice` in chat form.
    static func chatToolChoice(_ choice: JSONValue) throws(OpenAIError) -> JSONValue {
        if case .string = choice { return choice }
        guard choice["type"]?.stringValue == "function", let name = choice["name"]?.stringValue else {
            throw .invalidRequest("This 'tool_choice' needs a teacher that speaks the Responses API.", param: "tool_choice", code: "unsupported_value")
        }
        return .object([("type", .string("function")), ("function", .object([("name", .string(name))]))])
    }

    /// `text.format` as a chat `response_format` (nil for plain text).
    static func chatResponseFormat(_ format: JSONValue) throws(OpenAIError) -> JSONValue? {
        switch format["type"]?.stringValue {
        case "text"?, nil: return nil
        case "json_object"?: return .object([("type", .string("json_object"))])
        case "json_schema"?:
            var schema: [(key: String, value: JSONValue)] = [("name", format["name"] ?? .string("response"))]
            for key in ["schema", "strict", "description"] { if let value = format[key], value != .null { schema.append((key, value)) } }
            return .object([("type", .string("json_schema")), ("json_schema", .object(schema))])
        case let type?:
            throw .invalidRequest("Invalid value for 'text.format.type': '\(type)'.", param: "text.format.type", code: "invalid_value")
        }
    }

    static func message(_ role: String, _ content: JSONValue) -> JSONValue {
        .object([("role", .string(role)), ("content", content)])
    }

    /// The text parts of a content list, joined.
    static func text(of parts: [JSONValue]) -> String {
        parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }
}
