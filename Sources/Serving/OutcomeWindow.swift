/// A user's rating of an answer (`POST /v1/feedback`).
public enum Rating: String, Sendable, Hashable, Codable, CaseIterable {
    /// Thumbs up.
    case up
    /// Thumbs down.
    case down
}

/// Counts of ratings.
public struct RatingCounts: Sendable, Hashable, Codable {
    /// Thumbs up.
    public var up: Int
    /// Thumbs down.
    public var down: Int

    /// Creates counts.
    public init(up: Int = 0, down: Int = 0) {
        self.up = up
        self.down = down
    }

    /// All ratings.
    public var count: Int { up + down }
    /// `up / count`; nil for none.
    public var upRate: Double? { count > 0 ? Double(up) / Double(count) : nil }
    /// `down / count`; nil for none.
    public var downRate: Double? { count > 0 ? Double(down) / Double(count) : nil }
}

/// What a window holds at one moment.
public struct OutcomeSummary: Sendable, Hashable, Codable {
    /// Requests the student was attempted on.
    public var requests: Int
    /// Of those, how many fell back to the teacher for a student failure.
    public var fallbacks: Int
    /// Ratings of the student's answers.
    public var ratings: RatingCounts
    /// Judgments of the student's answers against the teacher's.
    public var judged: JudgedOutcomes

    /// `fallbacks / requests`; nil for no requests.
    public var fallbackRate: Double? { requests > 0 ? Double(fallbacks) / Double(requests) : nil }
}

/// Rolling windows of one student's outcomes: requests (fell back or not), ratings and
/// judgments, each bounded by the same count and age.
///
/// Each kind has its own window, so frequent requests do not push rare ratings out.
public struct OutcomeWindow: Sendable, Hashable {
    private var requests: RollingWindow<Bool>
    private var ratings: RollingWindow<Rating>
    private var judgments: RollingWindow<Judgment>

    /// Empty windows keeping at most `capacity` of each kind, no older than `duration` seconds.
    public init(capacity: Int, duration: Double?) {
        requests = RollingWindow(capacity: capacity, duration: duration)
        ratings = RollingWindow(capacity: capacity, duration: duration)
        judgments = RollingWindow(capacity: capacity, duration: duration)
    }

    /// Records a request the student was attempted on; `fellBack` when its answer was discarded.
    public mutating func recordRequest(fellBack: Bool, at time: Double) {
        requests.append(fellBack, at: time)
    }

    /// Records a rating of a student answer.
    public mutating func recordRating(_ rating: Rating, at time: Double) {
        ratings.append(rating, at: time)
    }

    /// Records a judgment of a student answer against the teacher's.
    public mutating func recordJudgment(_ judgment: Judgment, at time: Double) {
        judgments.append(judgment, at: time)
    }

    /// The counts in the windows at `now`.
    public func summary(at now: Double) -> OutcomeSummary {
        let served = requests.values(at: now)
        let rated = ratings.values(at: now)
        var judged = JudgedOutcomes()
        judgments.values(at: now).forEach { judged.record($0) }
        return OutcomeSummary(
            requests: served.count,
            fallbacks: served.filter { $0 }.count,
            ratings: RatingCounts(up: rated.filter { $0 == .up }.count, down: rated.filter { $0 == .down }.count),
            judged: judged)
    }

    /// Forgets everything.
    public mutating func removeAll() {
        requests.removeAll()
        ratings.removeAll()
        judgments.removeAll()
    }
}
