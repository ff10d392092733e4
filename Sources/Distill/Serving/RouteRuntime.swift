import Serving
import Synchronization

/// Everything the serving loop keeps about one route while it runs: the state as last
/// read from the store and when it changed, the rollback monitor, the cursor of ratings
/// already fed to it, and who served the route's requests since start.
///
/// One object per configured teacher route, created with the runtime; all of it behind one
/// lock, so a reader never sees a state from one refresh and a change time from another.
public final class RouteRuntime: Sendable {
    /// The route.
    public let name: RouteName
    /// How its student answers are judged against the teacher's.
    public let answerMatch: AnswerMatch
    /// The model name the teacher is asked for (also as the pairwise judge).
    public let teacherModel: String
    /// Whether the teacher judges its student answers into preference pairs.
    public let aiFeedback: AIFeedbackSettings
    private let record: Mutex<Record>

    /// The mutable part, read and changed as a whole under the lock.
    struct Record {
        /// The serving state as last read.
        var state: RouteServingState
        /// Unix seconds of the last stored change; 0 when none is stored.
        var changedAt: Double = 0
        /// The rollback monitor of the serving student.
        var monitor: RollbackMonitor
        /// `created_at` of the newest rating already fed to the monitor; nil before the first pass.
        var ratingCursor: Double?
        /// Who served the route's requests since start.
        var tally = ServingTally()
        /// When each pairwise-judge call of the last hour started (the `ai_feedback` budget).
        var judgeCalls: [Double] = []
    }

    /// The runtime of `route`, in `state`, with a fresh rollback monitor.
    init(route: RouteConfiguration, state: RouteServingState, rollback: RollbackConfiguration) {
        name = route.name
        answerMatch = route.answerMatch
        teacherModel = route.teacherModel
        aiFeedback = route.aiFeedback
        record = Mutex(Record(state: state, monitor: RollbackMonitor(configuration: rollback)))
    }

    /// The state as last read.
    public var state: RouteServingState { record.withLock { $0.state } }
    /// Unix seconds of the last stored change, as of the last read (0: none stored).
    public var changedAt: Double { record.withLock { $0.changedAt } }
    /// Counts since start.
    public var tally: ServingTally { record.withLock { $0.tally } }

    /// Runs `body` on the record under the lock.
    func withRecord<T>(_ body: (inout Record) throws -> T) rethrows -> T {
        try record.withLock { try body(&$0) }
    }
}

/// Counts of who served a route's requests since start, for the admin API.
public struct ServingTally: Sendable, Equatable {
    /// Requests the student answered.
    public var student = 0
    /// Requests the teacher answered.
    public var teacher = 0
    /// Requests meant for the student that fell back, by reason.
    public var fallbacks: [String: Int] = [:]
    /// Shadow runs started.
    public var shadowRuns = 0
    /// Shadow work dropped because the student was busy.
    public var shadowDrops = 0

    /// The empty tally.
    public init() {}

    /// Student-bound requests that fell back, over those meant for the student; nil for none.
    public var fallbackRate: Double? {
        let fell = fallbacks.values.reduce(0, +)
        let attempted = student + fell
        return attempted > 0 ? Double(fell) / Double(attempted) : nil
    }
}
