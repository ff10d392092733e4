/// An HTTP API that clients speak to the gateway, or that a teacher serves.
///
/// The corpus, curation, training and the student all work in the chat-completions
/// form; the other surfaces are translated to it on the way in and back on the way
/// out (``CompletionParts`` is the meeting point), or forwarded as they are to a
/// teacher that speaks the same surface.
public enum APISurface: String, Sendable, CaseIterable, Codable {
    /// `POST /v1/chat/completions` (OpenAI chat completions).
    case chat
    /// `POST /v1/responses` (OpenAI Responses).
    case responses
    /// `POST /v1/messages` (Anthropic Messages).
    case messages

    /// The path under the `/v1` base URL.
    public var path: String {
        switch self {
        case .chat: return "/chat/completions"
        case .responses: return "/responses"
        case .messages: return "/messages"
        }
    }

    /// The surface a `teacher.api` value names: `chat`, `responses` or `anthropic`.
    public init?(teacherAPI: String) {
        switch teacherAPI {
        case "chat", "chat_completions", "openai": self = .chat
        case "responses": self = .responses
        case "anthropic", "messages": self = .messages
        default: return nil
        }
    }
}
