import ChatAPI

/// A request as it reached the gateway: its surface, its chat-completions form (what the
/// router, the student and the corpus read) and, for the other surfaces, the body the
/// client sent (what a teacher of the same surface is sent).
struct Ingress: Sendable {
    /// The API the client spoke.
    let surface: APISurface
    /// The request in chat form.
    let chat: ChatRequest
    /// The chat form's bytes: the client's own body on `/v1/chat/completions`.
    let chatBody: [UInt8]
    /// The client's request, when it is not a chat completion.
    let raw: JSONValue?
    /// The client's body, when it is not a chat completion.
    let rawBody: [UInt8]?

    /// A chat-completions request as received.
    init(surface: APISurface, chat: ChatRequest, chatBody: [UInt8], raw: JSONValue?, rawBody: [UInt8]? = nil) {
        self.surface = surface
        self.chat = chat
        self.chatBody = chatBody
        self.raw = raw
        self.rawBody = rawBody
    }

    /// A request of another surface, with its chat form.
    init(surface: APISurface, raw: JSONValue, rawBody: [UInt8], chatJSON: JSONValue) throws(OpenAIError) {
        try self.init(surface: surface, chat: ChatRequest(json: chatJSON), chatBody: chatJSON.serialized(), raw: raw, rawBody: rawBody)
    }
}
