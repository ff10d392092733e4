/// Which checks the student's answer must pass before anything goes to the client.
public struct AnswerCheckPlan: Sendable, Hashable, Codable {
    /// The answer must be valid JSON (`response_format` asked for it).
    public var requireJSON: Bool
    /// For a stream: how many tokens to buffer and check before the response head goes out;
    /// nil buffers the whole answer. Always nil for non-streaming requests.
    public var bufferTokens: Int?

    /// Creates a plan.
    public init(requireJSON: Bool = false, bufferTokens: Int? = nil) {
        self.requireJSON = requireJSON
        self.bufferTokens = bufferTokens
    }
}

/// Where one request goes, decided before any work starts.
public struct RoutingDecision: Sendable, Hashable, Codable {
    /// Who answers the client.
    public enum Server: Sendable, Hashable, Codable {
        /// The teacher answers, for this reason.
        case teacher(FallbackReason)
        /// The student answers if its answer passes the checks; else the teacher takes over.
        case student(AnswerCheckPlan)
    }

    /// Who answers the client.
    public var server: Server
    /// The shadow decision when the route is in shadow mode and the student could take the
    /// request; nil when shadowing was not considered.
    public var shadow: ShadowSampler.Decision?

    /// Creates a decision.
    public init(server: Server, shadow: ShadowSampler.Decision? = nil) {
        self.server = server
        self.shadow = shadow
    }

    /// The teacher serves, with no shadow.
    public static func teacher(_ reason: FallbackReason) -> RoutingDecision {
        RoutingDecision(server: .teacher(reason))
    }

    /// Why the teacher serves, or nil when the student does.
    public var teacherReason: FallbackReason? {
        if case .teacher(let reason) = server { return reason }
        return nil
    }

    /// Whether the student runs in the background.
    public var runsShadow: Bool { shadow == .run }
}
