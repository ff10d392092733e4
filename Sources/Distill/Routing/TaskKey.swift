import ChatAPI

/// Which task a request belongs to inside its route, for the per-task coverage and quality
/// a route's evaluation reports: `metadata.task` when the client names one, else the hash of
/// the system prompt (one system prompt per task is the common shape), else `no_system_prompt`.
public enum TaskKey {
    /// The task key of `chat`.
    public static func of(_ chat: ChatRequest) -> String {
        if let named = chat.metadata?["task"]?.stringValue, !named.isEmpty { return named }
        let system = chat.messages.filter { $0.role == "system" || $0.role == "developer" }.map(\.content)
        guard !system.isEmpty else { return "no_system_prompt" }
        return "system:" + SHA256.hex(Array(system.joined(separator: "\n").utf8)).prefix(8)
    }
}
