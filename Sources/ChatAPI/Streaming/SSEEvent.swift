/// One server-sent event as defined by the WHATWG HTML "event stream" format.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or nil for the default "message" type.
    public var event: String?
    /// The `data:` lines joined with "\n".
    public var data: String
    /// The `id:` field, if any.
    public var id: String?

    /// Creates an event.
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}
