/// One message of a conversation, as the chat template sees it.
public struct ChatMessage: Sendable, Equatable {
    /// `system`, `user`, `assistant`, or any other role the template passes through.
    public var role: String
    /// The message text.
    public var content: String

    /// A message from `role` saying `content`.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
