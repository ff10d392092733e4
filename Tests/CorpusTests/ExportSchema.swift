import ChatAPI
import Corpus

/// The shape each export format must have, checked line by line. Returns the
/// problems found (empty when the line conforms).
enum ExportSchema {
    static let roles: Set<String> = ["system", "user", "assistant", "tool"]
    static let messageKeys: Set<String> = ["role", "content", "name", "tool_calls", "tool_call_id"]

    static func problems(_ line: JSONValue, format: ExportFormat) -> [String] {
        switch format {
        case .openAISFT:
            return keys(line, allowed: ["messages", "tools", "parallel_tool_calls"], required: ["messages"])
                + conversation(line["messages"], endsWithAssistant: true) + tools(line["tools"])
        case .trlSFT:
            return keys(line, allowed: ["prompt", "completion", "tools"], required: ["prompt", "completion"])
                + conversation(line["prompt"], endsWithAssistant: false) + answer(line["completion"]) + tools(line["tools"])
        case .openAIDPO:
            let input = line["input"] ?? .null
            return keys(line, allowed: ["input", "preferred_output", "non_preferred_output"], required: ["input", "preferred_output", "non_preferred_output"])
                + keys(input, allowed: ["messages", "tools", "parallel_tool_calls"], required: ["messages"])
                + conversation(input["messages"], endsWithAssistant: false) + tools(input["tools"])
                + answer(line["preferred_output"]) + answer(line["non_preferred_output"])
                + (line["preferred_output"] == line["non_preferred_output"] ? ["chosen equals rejected"] : [])
        case .trlDPO:
            return keys(line, allowed: ["prompt", "chosen", "rejected"], required: ["prompt", "chosen", "rejected"])
                + conversation(line["prompt"], endsWithAssistant: false) + answer(line["chosen"]) + answer(line["rejected"])
                + (line["chosen"] == line["rejected"] ? ["chosen equals rejected"] : [])
        case .raw:
            let tagsOK = line["tags"]?.objectValue?.allSatisfy { $0.value.stringValue != nil } ?? false
            return keys(line, allowed: ["input", "output", "tags"], required: ["input", "output", "tags"])
                + (line["input"]?["messages"]?.arrayValue == nil ? ["input has no messages"] : [])
                + (tagsOK ? [] : ["tags must be an object of strings"])
        }
    }

    static func keys(_ value: JSONValue, allowed: Set<String>, required: [String]) -> [String] {
        guard let members = value.objectValue else { return ["not an object"] }
        let names = members.map(\.key)
        return names.filter { !allowed.contains($0) }.map { "unexpected key \($0)" }
            + required.filter { !names.contains($0) }.map { "missing key \($0)" }
            + (Set(names).count == names.count ? [] : ["duplicate keys"])
    }

    static func message(_ value: JSONValue) -> [String] {
        guard let members = value.objectValue, let role = value["role"]?.stringValue, roles.contains(role) else {
            return ["message without a valid role: \(value.jsonString)"]
        }
        var problems = members.map(\.key).filter { !messageKeys.contains($0) }.map { "message key \($0)" }
        let content = value["content"]
        let contentOK = content?.stringValue != nil || content?.arrayValue != nil
            || (role == "assistant" && value["tool_calls"]?.arrayValue != nil)
        if !contentOK { problems.append("message without content") }
        if role == "tool" && value["tool_call_id"]?.stringValue == nil { problems.append("tool message without tool_call_id") }
        return problems
    }

    static func conversation(_ value: JSONValue?, endsWithAssistant: Bool) -> [String] {
        guard let messages = value?.arrayValue, !messages.isEmpty else { return ["empty conversation"] }
        var problems = messages.flatMap(message)
        let last = messages.last?["role"]?.stringValue
        if endsWithAssistant && last != "assistant" { problems.append("does not end with an assistant message") }
        if !endsWithAssistant && last == "assistant" { problems.append("prompt ends with an assistant message") }
        return problems
    }

    static func answer(_ value: JSONValue?) -> [String] {
        guard let messages = value?.arrayValue, messages.count == 1, messages[0]["role"]?.stringValue == "assistant" else {
            return ["answer must be one assistant message"]
        }
        return message(messages[0])
    }

    static func tools(_ value: JSONValue?) -> [String] {
        guard let value else { return [] }
        guard let tools = value.arrayValue, !tools.isEmpty else { return ["tools must be a non-empty array"] }
        return tools.compactMap { tool in
            tool["type"]?.stringValue == "function" && tool["function"]?["name"]?.stringValue != nil ? nil : "bad tool \(tool.jsonString)"
        }
    }
}
