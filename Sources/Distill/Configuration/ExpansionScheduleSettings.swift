/// A route's expansion on a schedule (`routes[].expansion`): `retort serve` runs
/// `retort augment`'s job (``ExpansionJob``) for the route by itself while the route has
/// little real data, so a new route's student gets the survey's augmented low-data
/// training with nobody typing a command. ``ExpansionPolicy`` decides when.
///
/// | key | type | default |
/// |---|---|---|
/// | `enabled` | bool | `false` |
/// | `count` | int ≥ 1 | 100: new exchanges per job |
/// | `every_hours` | number > 0 | 24: at most one job per route in this long |
/// | `min_logged` | int ≥ 1 | 20: curated train exchanges of real traffic the route needs before its inputs are imitated |
/// | `max_per_logged` | number ≥ 0 | 7: expansion exchanges stop growing at this many per real one (the measured 40 + 260 is 6.5) |
/// | `max_total` | int ≥ 0 | 1000: and at this many in all |
/// | `max_teacher_tokens` | int ≥ 1 | 100000: the teacher-token budget of each job |
/// | `seeds` | int 1…100 | 5: logged inputs shown per ask |
public struct ExpansionScheduleSettings: Sendable, Decodable, Equatable {
    /// Whether the route is expanded on a schedule.
    public var enabled = false
    /// New exchanges per job.
    public var count = 100
    /// Hours between jobs on the route.
    public var everyHours = 24.0
    /// Real curated train exchanges needed first.
    public var minLogged = 20
    /// Cap on expansion exchanges per real one.
    public var maxPerLogged = 7.0
    /// Cap on expansion exchanges in all.
    public var maxTotal = 1000
    /// Teacher tokens each job may spend.
    public var maxTeacherTokens = 100_000
    /// Inputs shown per ask.
    public var seeds = 5

    /// Settings; off by default.
    public init(enabled: Bool = false, count: Int = 100, everyHours: Double = 24) {
        self.enabled = enabled
        self.count = count
        self.everyHours = everyHours
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        enabled = try c.value("enabled", enabled)
        count = try c.value("count", count)
        everyHours = try c.value("every_hours", everyHours)
        minLogged = try c.value("min_logged", minLogged)
        maxPerLogged = try c.value("max_per_logged", maxPerLogged)
        maxTotal = try c.value("max_total", maxTotal)
        maxTeacherTokens = try c.value("max_teacher_tokens", maxTeacherTokens)
        seeds = try c.value("seeds", seeds)
        try c.require(count >= 1, "count", "≥ 1", got: count)
        try c.require(everyHours > 0, "every_hours", "> 0", got: everyHours)
        try c.require(minLogged >= 1, "min_logged", "≥ 1", got: minLogged)
        try c.require(maxPerLogged >= 0, "max_per_logged", "≥ 0", got: maxPerLogged)
        try c.require(maxTotal >= 0, "max_total", "≥ 0", got: maxTotal)
        try c.require(maxTeacherTokens >= 1, "max_teacher_tokens", "≥ 1", got: maxTeacherTokens)
        try c.require((1...100).contains(seeds), "seeds", "in 1…100", got: seeds)
    }
}
