import ChatAPI
import Foundation

/// The request that asks the teacher for new inputs in the style of a route's logged
/// ones (the survey's "expansion": in-context examples of the task, new inputs out).
///
/// The teacher sees the task's system prompt (if any) and K example inputs from the
/// train split, and is asked, in JSON mode, for `{"inputs": [...]}`: new user messages
/// of the same kind, varied in content, not copies of the examples.
public enum ExpansionPrompt {
    /// The instructions, sent as the system message.
    public static let instructions = """
        You write new inputs for a task that an assistant performs. You are shown the task's \
        system prompt (if it has one) and example user messages. Write new user messages that \
        belong to the same task: the same kind of request, format and length, with different \
        content (other names, numbers, topics and wording). Do not repeat or lightly edit the \
        examples, and do not answer them. Reply with JSON only: {"inputs": ["...", "..."]}.
        """

    /// The chat request for `count` new inputs like `examples` (the user messages of seed
    /// conversations) under `systemPrompt`, for `model`.
    public static func request(model: String, systemPrompt: String?, examples: [String], count: Int) -> JSONValue {
        var task = systemPrompt.map { "The task's system prompt:\n\($0)\n\n" } ?? "The task has no system prompt.\n\n"
        task += "Example user messages:\n"
        for (index, example) in examples.enumerated() { task += "\(index + 1). \(JSONValue.string(example).jsonString)\n" }
        task += "\nWrite \(count) new user messages for this task."
        return .object([
            ("model", .string(model)),
            ("messages", .array([
                .object([("role", .string("system")), ("content", .string(instructions))]),
                .object([("role", .string("user")), ("content", .string(task))]),
            ])),
            ("temperature", .double(1)),
            ("response_format", .object([("type", .string("json_object"))])),
        ])
    }

    /// The inputs in the teacher's answer (a `chat.completion`): the strings of its
    /// `inputs` array, trimmed, empty ones dropped; nil when the answer is not that JSON.
    public static func inputs(in completion: JSONValue) -> [String]? {
        guard let content = CompletionParts(completion: completion).text,
              let json = try? JSONValue.parse(Array(content.utf8)), let items = json["inputs"]?.arrayValue else { return nil }
        return items.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
