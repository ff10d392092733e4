import ChatAPI

/// Which task a request belongs to inside its route, for the per-task coverage and quality
/// a route's evaluation reports: the `x-retort-task` header (logged as the tag `task:NAME`)
/// or `metadata.task` when the client names one, else the hash of the system prompt (one
/// system prompt per task is the common shape), else `no_system_prompt`.
public enum TaskKey {
    /// The tag prefix the gateway logs the `x-retort-task` header under.
    public static let tagPrefix = "task:"

    /// The task key of `chat`, logged with `tags`.
    public static func of(_ chat: ChatRequest, tags: [String] = []) -> String {
        if let tagged = tags.first(where: { $0.hasPrefix(tagPrefix) && $0.count > tagPrefix.count }) {
            return String(tagged.dropFirst(tagPrefix.count))
        }
        if let named = chat.metadata?["task"]?.stringValue, !named.isEmpty { return named }
        let system = chat.messages.filter { $0.role == "system" || $0.role == "developer" }.map(\.content)
        guard !system.isEmpty else { return "no_system_prompt" }
        return "system:" + SHA256.hex(Array(system.joined(separator: "\n").utf8)).prefix(8)
    }
}
