/// When `retort serve` starts an expansion job on a route (a pure decision; the clock and
/// the corpus counts are given). A job is due when the route's expansion is enabled, no
/// job is running, the route has `min_logged` real curated train exchanges to imitate,
/// its expansion exchanges are below both caps (`max_per_logged` per real one,
/// `max_total`), and `every_hours` passed since the latest expansion exchange and since
/// the last job started in this process (so a job that logged nothing waits too). The
/// job asks for `count`, cut to what the caps leave.
public struct ExpansionPolicy: Sendable {
    /// The route's settings.
    public var settings: ExpansionScheduleSettings

    /// What the policy looks at.
    public struct Observation: Sendable, Equatable {
        /// Unix seconds.
        public var now: Double
        /// Curated train exchanges of the route that are not expansion's.
        public var logged: Int
        /// Expansion exchanges of the route.
        public var expanded: Int
        /// When the latest expansion exchange was received, if any.
        public var lastExpandedAt: Double?
        /// When the last job on the route started in this process, if any.
        public var lastStartedAt: Double?
        /// Whether an expansion job (on any route) is running.
        public var running: Bool

        /// An observation.
        public init(now: Double, logged: Int, expanded: Int, lastExpandedAt: Double? = nil,
                    lastStartedAt: Double? = nil, running: Bool = false) {
            self.now = now
            self.logged = logged
            self.expanded = expanded
            self.lastExpandedAt = lastExpandedAt
            self.lastStartedAt = lastStartedAt
            self.running = running
        }
    }

    /// A policy with `settings`.
    public init(settings: ExpansionScheduleSettings) { self.settings = settings }

    /// How many new exchanges to ask for now, or nil when no job is due.
    public func due(_ o: Observation) -> Int? {
        guard settings.enabled, !o.running, o.logged >= settings.minLogged else { return nil }
        let cap = min(settings.maxTotal, Int((settings.maxPerLogged * Double(o.logged)).rounded(.down)))
        let count = min(settings.count, cap - o.expanded)
        guard count > 0 else { return nil }
        let last = max(o.lastExpandedAt ?? -.infinity, o.lastStartedAt ?? -.infinity)
        guard o.now - last >= settings.everyHours * 3600 else { return nil }
        return count
    }
}
