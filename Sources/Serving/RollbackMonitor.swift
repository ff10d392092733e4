/// Rollback settings. A trigger fires only past its threshold (strictly) and with enough samples.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `windowSize` | `Int` | `200` | most recent requests, ratings and judgments kept (each) |
/// | `windowSeconds` | `Double?` | `3600` | oldest outcome kept, in seconds; nil: no age limit |
/// | `minimumRatings` | `Int` | `20` | ratings needed before the down-rate counts |
/// | `maximumDownRate` | `Double` | `0.3` | roll back when the thumbs-down share exceeds this |
/// | `minimumJudged` | `Int` | `30` | judgments needed before the win rate counts |
/// | `minimumJudgedWinRate` | `Double?` | `0.45` | roll back when the judged win rate falls below this; nil: off |
/// | `minimumRequests` | `Int` | `50` | student attempts needed before the fallback rate counts |
/// | `maximumFallbackRate` | `Double` | `0.5` | roll back when the share of discarded student answers exceeds this |
/// | `cooldownSeconds` | `Double` | `900` | no second automatic rollback within this time of the first |
public struct RollbackConfiguration: Sendable, Hashable, Codable {
    /// Most recent outcomes kept, per kind.
    public var windowSize: Int = 200
    /// Oldest outcome kept, in seconds.
    public var windowSeconds: Double? = 3600
    /// Ratings needed before the down-rate counts.
    public var minimumRatings: Int = 20
    /// Down-rate above which the student is rolled back.
    public var maximumDownRate: Double = 0.3
    /// Judgments needed before the win rate counts.
    public var minimumJudged: Int = 30
    /// Win rate below which the student is rolled back; nil: off.
    public var minimumJudgedWinRate: Double? = 0.45
    /// Attempts needed before the fallback rate counts.
    public var minimumRequests: Int = 50
    /// Fallback rate above which the student is rolled back.
    public var maximumFallbackRate: Double = 0.5
    /// Quiet time after a rollback.
    public var cooldownSeconds: Double = 900

    /// The documented defaults.
    public init() {}
}

/// Watches the serving student's rolling outcomes and rolls the route back when they go bad.
///
/// Feed it what happens to the student (only requests it was attempted on; a fallback only
/// for a student failure, see ``FallbackReason/isStudentFailure``), then call
/// ``check(_:at:)``. Against flapping: the window is emptied on every rollback and on every
/// change of student version, so a new verdict needs fresh samples; and no automatic
/// rollback follows another within `cooldownSeconds`.
public struct RollbackMonitor: Sendable, Hashable {
    /// Settings.
    public let configuration: RollbackConfiguration
    /// The student version the window is about; outcomes of another version reset it.
    public private(set) var student: String?
    /// When the last automatic rollback happened.
    public private(set) var lastRollback: Double?
    private var window: OutcomeWindow

    /// A monitor with empty windows.
    public init(configuration: RollbackConfiguration = RollbackConfiguration()) {
        self.configuration = configuration
        window = OutcomeWindow(capacity: configuration.windowSize, duration: configuration.windowSeconds)
    }

    /// What triggered a rollback, with the figures behind it.
    public struct Trigger: Sendable, Hashable {
        /// The reason recorded in the event.
        public var reason: ServingChangeReason
        /// A readable account, e.g. "down rate 0.400 > 0.300 over 25 ratings".
        public var note: String
    }

    /// Records one student attempt of `student`; `fellBack` when its answer was discarded.
    public mutating func recordRequest(student: String, fellBack: Bool, at time: Double) {
        watch(student)
        window.recordRequest(fellBack: fellBack, at: time)
    }

    /// Records a rating of an answer by `student`.
    public mutating func recordRating(_ rating: Rating, student: String, at time: Double) {
        watch(student)
        window.recordRating(rating, at: time)
    }

    /// Records a judgment of an answer by `student` against the teacher's.
    public mutating func recordJudgment(_ judgment: Judgment, student: String, at time: Double) {
        watch(student)
        window.recordJudgment(judgment, at: time)
    }

    /// The window's counts at `now`.
    public func summary(at now: Double) -> OutcomeSummary {
        window.summary(at: now)
    }

    /// The first trigger crossed at `now` (ratings, then judged win rate, then fallbacks),
    /// ignoring the cooldown; nil when all is well.
    public func trigger(at now: Double) -> Trigger? {
        let summary = window.summary(at: now)
        let config = configuration
        if summary.ratings.count >= config.minimumRatings, let rate = summary.ratings.downRate,
            rate > config.maximumDownRate
        {
            return Trigger(reason: .ratingsDropped, note: Self.describe("down rate", rate, ">", config.maximumDownRate, summary.ratings.count, "ratings"))
        }
        if let minimum = config.minimumJudgedWinRate, summary.judged.count >= config.minimumJudged,
            let rate = summary.judged.winRate, rate < minimum
        {
            return Trigger(reason: .judgedWinRateLow, note: Self.describe("judged win rate", rate, "<", minimum, summary.judged.count, "judgments"))
        }
        if summary.requests >= config.minimumRequests, let rate = summary.fallbackRate, rate > config.maximumFallbackRate {
            return Trigger(reason: .fallbackRateHigh, note: Self.describe("fallback rate", rate, ">", config.maximumFallbackRate, summary.requests, "requests"))
        }
        return nil
    }

    /// Rolls `state` back (to ``RouteServingState/rollbackTarget``) when a trigger fires, the
    /// route serves the watched student (`canary` or `student`) and the cooldown is over.
    /// - Returns: the event to persist, or nil when nothing changed.
    public mutating func check(_ state: inout RouteServingState, at now: Double) -> ServingEvent? {
        guard state.mode == .canary || state.mode == .student, state.student == student else { return nil }
        if let lastRollback, now - lastRollback < configuration.cooldownSeconds { return nil }
        guard let trigger = trigger(at: now) else { return nil }
        guard let event = try? state.rollBack(
            to: state.rollbackTarget, reason: trigger.reason, actor: .automatic, at: now, note: trigger.note)
        else { return nil }
        lastRollback = now
        window.removeAll()
        student = state.mode == .teacher ? nil : state.student
        return event
    }

    /// Forgets every outcome (the cooldown stays).
    public mutating func reset() {
        window.removeAll()
    }

    private mutating func watch(_ version: String) {
        guard version != student else { return }
        window.removeAll()
        student = version
    }

    private static func describe(_ name: String, _ rate: Double, _ relation: String, _ limit: Double, _ count: Int, _ unit: String) -> String {
        "\(name) \(format(rate)) \(relation) \(format(limit)) over \(count) \(unit)"
    }

    private static func format(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
