/// Who made a serving change.
public enum ServingActor: String, Sendable, Hashable, Codable, CaseIterable {
    /// A person, through the CLI, the admin API or the dashboard.
    case manual
    /// Retort itself: automatic promotion or rollback.
    case automatic
}

/// Why a route's serving state changed. Raw values are stable: they are stored and logged.
public enum ServingChangeReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Set by hand.
    case manual
    /// A new student version passed the quality gate and starts in shadow.
    case gatePassed = "gate_passed"
    /// Shadow results were good enough to serve a canary share.
    case shadowPassed = "shadow_passed"
    /// The canary's ratings and judged outcomes were no worse than the teacher's.
    case canaryPassed = "canary_passed"
    /// Rolled back: too many thumbs-down in the rolling window.
    case ratingsDropped = "ratings_dropped"
    /// Rolled back: the per-request fallback rate was too high.
    case fallbackRateHigh = "fallback_rate_high"
    /// Rolled back: the judged win rate against the teacher dropped below the gate.
    case judgedWinRateLow = "judged_win_rate_low"
}

/// One change of a route's serving state: the record to persist and show on the dashboard.
public struct ServingEvent: Sendable, Hashable, Codable {
    /// The state before the change.
    public var from: RouteServingState
    /// The state after the change.
    public var to: RouteServingState
    /// Why it changed.
    public var reason: ServingChangeReason
    /// Who changed it.
    public var actor: ServingActor
    /// When, in seconds since the Unix epoch (from the injected clock).
    public var time: Double
    /// Free text for people: the figures behind an automatic change, or an operator's note.
    public var note: String

    /// Creates an event record.
    public init(
        from: RouteServingState, to: RouteServingState, reason: ServingChangeReason,
        actor: ServingActor, time: Double, note: String = ""
    ) {
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
        self.time = time
        self.note = note
    }

    /// The route the event belongs to.
    public var route: RouteName { to.route }
}
