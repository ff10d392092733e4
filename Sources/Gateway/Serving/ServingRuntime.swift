import ChatAPI
import Corpus
import Foundation
import Serving

/// The gateway's side of progressive serving: the routes' current states (re-read from
/// the corpus every `poll_interval_ms`, so `retort serving set` reaches a running
/// gateway), the per-request routing decision, the loaded student versions, and the
/// rollback and promotion loop. The decisions themselves are the `Serving` target's.
public final class ServingRuntime: @unchecked Sendable {
    // @unchecked: the mutable properties are guarded by `lock`.
    private let lock = NSLock()
    private var states: [String: RouteServingState] = [:]
    private var changedAt: [String: Double] = [:]
    private var lastEventID = -1
    private var generator = SplitMix64(seed: UInt64.random(in: .min ... .max))
    private var pollTask: Task<Void, Never>?
    var monitors: [String: RollbackMonitor] = [:]
    var ratingCursor: [String: Double] = [:]
    var tallies: [String: ServingTally] = [:]

    /// Reads and writes the stored states.
    public let book: ServingStateBook
    /// The `serving` configuration.
    public let settings: ServingSettings
    let routerConfiguration: RouterConfiguration
    let check: AnswerCheck
    let judge: AgreementJudge
    let pool: StudentPool
    let metrics: GatewayMetrics
    let studentSettings: StudentSettings

    /// Creates the runtime and loads the stored states; student versions load on first use.
    init(configuration: GatewayConfiguration, reader: CorpusReader, queue: StudentQueue,
         preloaded: StudentBackend?, metrics: GatewayMetrics) {
        let store = ServingStore(reader: reader)
        book = ServingStateBook(store: store, routes: configuration.routes)
        settings = configuration.serving
        routerConfiguration = (try? configuration.serving.routerConfiguration()) ?? ServingRuntime.defaultRouter
        check = AnswerCheck(configuration: (try? configuration.serving.answerCheckConfiguration()) ?? ServingRuntime.defaultCheck)
        judge = (try? configuration.serving.agreementJudge()) ?? ServingRuntime.defaultJudge
        pool = StudentPool(settings: configuration.student, store: store, queue: queue, preloaded: preloaded)
        self.metrics = metrics
        studentSettings = configuration.student
        refresh()
    }

    private static let defaultRouter = try! RouterConfiguration()  // the documented defaults are valid
    private static let defaultCheck = try! AnswerCheckConfiguration()  // the documented defaults are valid
    private static let defaultJudge = try! AgreementJudge()  // the documented default is valid

    deinit { pollTask?.cancel() }

    /// The current state of every configured teacher route, by name.
    public func currentStates() -> [RouteServingState] {
        lock.withLock { states.values.sorted { $0.route < $1.route } }
    }

    /// The current state of `route`, if it is a teacher route.
    public func state(of route: String) -> RouteServingState? {
        lock.withLock { states[route] }
    }

    /// Unix seconds of `route`'s last stored change, as of the last read; 0 when none is stored.
    func lastChange(of route: String) -> Double {
        lock.withLock { changedAt[route] ?? 0 }
    }

    /// Re-reads the states when an event was stored since the last read (by this process
    /// or another: the CLI, a replica).
    public func refresh() {
        guard let latest = try? book.store.latestEventID() else { return }
        guard latest != lock.withLock({ lastEventID }) else { return }
        guard let loaded = try? book.loadedStates() else { return }
        lock.withLock {
            states = loaded.mapValues(\.state)
            changedAt = loaded.mapValues(\.changedAt)
            lastEventID = latest
        }
        let serving = loaded.values.map(\.state).filter { $0.mode != .teacher }
        let inUse = Set(serving.compactMap(\.student))
        pool.evict(keeping: inUse.union(serving.compactMap(\.previousStudent)))  // the rollback target stays warm
        for student in inUse { _ = pool.backend(for: student) }
    }

    /// Changes a route by hand and applies the change at once.
    @discardableResult
    public func set(route: String, mode: ServingMode, percent: Double? = nil, student: String? = nil,
                    note: String = "") throws -> ServingEvent? {
        if let student { pool.retry(student) }
        let event = try book.set(route: route, mode: mode, percent: percent, student: student, note: note, at: now())
        refresh()
        return event
    }

    /// Loads the student of every route that uses one, on the calling thread (start-up,
    /// tests); returns the names that could not be loaded.
    @discardableResult
    public func preloadStudents() -> [String] {
        let names = Set(currentStates().filter { $0.mode != .teacher }.compactMap(\.student))
        return names.sorted().filter { pool.loadNow($0) == nil }
    }

    /// Starts the background loop that re-reads states and runs rollback and promotion
    /// (once; later calls do nothing). It ends when the runtime goes away.
    public func start() {
        guard locked({ pollTask == nil }) else { return }
        let interval = Duration.milliseconds(max(settings.pollIntervalMs, 50))
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                self.tick()
            }
        }
        lock.withLock { pollTask = task }
    }

    /// Two uniform draws for one routing decision.
    func draws() -> RoutingDraws {
        lock.withLock { RoutingDraws(using: &generator) }
    }

    /// Unix seconds now.
    func now() -> Double { Date().timeIntervalSince1970 }

    /// Runs `body` holding the lock that guards the runtime's mutable state.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
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

    /// Student-bound requests that fell back, over those meant for the student; nil for none.
    public var fallbackRate: Double? {
        let fell = fallbacks.values.reduce(0, +)
        let attempted = student + fell
        return attempted > 0 ? Double(fell) / Double(attempted) : nil
    }
}
