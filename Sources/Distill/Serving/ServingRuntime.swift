import ChatAPI
import Corpus
import Foundation
import Serving
import Synchronization

/// Progressive serving while the gateway runs: one ``RouteRuntime`` per teacher route
/// (its state re-read from the corpus every `poll_interval_ms`, so `retort serving set`
/// reaches a running gateway), the per-request plan, the loaded student versions, and the
/// rollback and promotion loop. The decisions themselves are the `Serving` target's.
public final class ServingRuntime: Sendable {
    /// The routes' runtimes, one per configured teacher route (fixed at start).
    let routes: [RouteName: RouteRuntime]
    private let lastEventID = Mutex(-1)
    private let generator: Mutex<SplitMix64>
    private let pollTask = Mutex<Task<Void, Never>?>(nil)
    /// Routers read from the store, by `version NUL route` (nil: none stored); emptied
    /// whenever the stored states change.
    let routerCache = Mutex<[String: StudentRouter?]>([:])

    /// Reads and writes the stored states.
    public let book: ServingStateBook
    /// The `serving` configuration.
    public let settings: ServingSettings
    /// The student settings every version loads with.
    let studentSettings: StudentSettings
    let routerConfiguration: RouterConfiguration
    let check: AnswerCheck
    let judge: AgreementJudge
    /// The teacher as pairwise judge for routes with `ai_feedback` (nil: no teacher to ask).
    let feedbackJudge: (any PairwiseJudging)?
    let pool: StudentPool
    let metrics: any MetricsRecorder
    let errors: OperatorErrors
    /// The time every decision reads.
    public let clock: any WallClock

    /// Creates the runtime and loads the stored states; student versions load on first use.
    /// - Parameters:
    ///   - routes: the configured routes (the teacher routes get a runtime each)
    ///   - preloaded: the configured student model, whose queue every version shares
    ///   - feedbackJudge: the pairwise judge of routes with `ai_feedback` (nil: those routes get no pairs)
    public init(routes: [RouteConfiguration], serving: ServingSettings, student: StudentSettings, store: any ServingStorage,
                preloaded: StudentBackend?, metrics: any MetricsRecorder, clock: any WallClock = SystemWallClock(),
                feedbackJudge: (any PairwiseJudging)? = nil) {
        book = ServingStateBook(store: store, routes: routes)
        settings = serving
        studentSettings = student
        routerConfiguration = (try? serving.routerConfiguration()) ?? ServingRuntime.defaultRouter
        check = AnswerCheck(configuration: (try? serving.answerCheckConfiguration()) ?? ServingRuntime.defaultCheck)
        judge = (try? serving.agreementJudge()) ?? ServingRuntime.defaultJudge
        self.feedbackJudge = feedbackJudge
        let queue = preloaded?.queue ?? StudentQueue(capacity: student.maxQueue)
        pool = StudentPool(settings: student, store: store, queue: queue, preloaded: preloaded)
        self.metrics = metrics
        errors = OperatorErrors(metrics: metrics)
        self.clock = clock
        generator = Mutex(SplitMix64(seed: UInt64.random(in: .min ... .max)))
        var runtimes: [RouteName: RouteRuntime] = [:]
        for route in routes where route.backend == .teacher {
            runtimes[route.name] = RouteRuntime(route: route, state: RouteServingState(route: route.name),
                                                rollback: serving.rollback)
        }
        self.routes = runtimes
        refresh()
    }

    // The documented defaults are valid; the configuration decoder has already checked the
    // configured values, so these stand in only for a hand-built invalid `ServingSettings`.
    private static let defaultRouter = try! RouterConfiguration()
    private static let defaultCheck = try! AnswerCheckConfiguration()
    private static let defaultJudge = try! AgreementJudge()

    deinit { pollTask.withLock { $0?.cancel() } }

    /// The current state of every configured teacher route, by name.
    public func currentStates() -> [RouteServingState] {
        routes.values.map(\.state).sorted { $0.route < $1.route }
    }

    /// The current state of `route`, if it is a teacher route.
    public func state(of route: RouteName) -> RouteServingState? {
        routes[route]?.state
    }

    /// Student generations waiting or running, on every version (they share one queue).
    public var studentQueueDepth: Int { pool.queue.depth }

    /// Re-reads the states when an event was stored since the last read (by this process
    /// or another: the CLI, a replica).
    public func refresh() {
        guard let latest = errors.attempt("refresh", "reading the newest serving event", { try book.store.latestEventID() }),
              latest != lastEventID.withLock({ $0 }),
              let loaded = errors.attempt("refresh", "reading the serving states", { try book.loadedStates() })
        else { return }
        for (name, runtime) in routes {
            guard let stored = loaded[name] else { continue }
            runtime.withRecord {
                $0.state = stored.state
                $0.changedAt = stored.changedAt
            }
        }
        lastEventID.withLock { $0 = latest }
        routerCache.withLock { $0.removeAll() }
        let serving = loaded.values.map(\.state).filter { $0.mode != .teacher }
        let inUse = Set(serving.compactMap(\.student))
        pool.evict(keeping: inUse.union(serving.compactMap(\.previousStudent)))  // the rollback target stays warm
        for student in inUse { _ = pool.backend(for: student) }
        // Read each serving student's router now, off the request path: requests run on the
        // connections' event loops, where a SQLite read must not wait.
        for state in serving { if let student = state.student { _ = router(version: student, route: state.route) } }
    }

    /// Changes a route by hand and applies the change at once.
    @discardableResult
    public func set(route: RouteName, mode: ServingMode, percent: Double? = nil, student: String? = nil,
                    note: String = "") throws -> ServingEvent? {
        if let student { pool.retry(student) }
        let event = try book.set(route: route, mode: mode, percent: percent, student: student, note: note, at: clock.now())
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
        let interval = Duration.milliseconds(max(settings.pollIntervalMs, 50))
        pollTask.withLock { task in
            guard task == nil else { return }
            task = Task.detached { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard let self else { return }
                    self.tick()
                }
            }
        }
    }

    /// `loaded`, `loading` or `failed: why` for the route's student; nil when it has none.
    public func studentStatus(of state: RouteServingState) -> String? {
        guard let student = state.student else { return nil }
        switch pool.entry(for: student) {
        case .loaded?: return "loaded"
        case .loading?: return "loading"
        case .failed(let why)?: return "failed: " + why
        case nil: return "not loaded"
        }
    }

    /// The tallies of every route.
    public func servingTallies() -> [RouteName: ServingTally] {
        routes.mapValues(\.tally)
    }

    /// Two uniform draws for one routing decision.
    func draws() -> RoutingDraws {
        generator.withLock { RoutingDraws(using: &$0) }
    }

    /// One uniform draw in [0, 1).
    func uniformDraw() -> Double {
        generator.withLock { $0.nextUnit() }
    }
}
