import Corpus
import Foundation
import Serving

/// The expansion timer in `retort serve`: every `checkSeconds` it asks ``ExpansionPolicy``
/// about each route with `expansion.enabled` and starts the first due job on the gateway's
/// ``ExpansionTracker`` (one job at a time, shared with `POST /admin/augment`). Its
/// exchanges then reach the student through the training schedule like any others.
/// Failures (reading the corpus, a failed job) are reported (``OperatorErrors``).
public final class ExpansionScheduler: Sendable {
    let routes: [RouteConfiguration]
    let reader: SQLiteCorpus
    let tracker: ExpansionTracker
    let makeJob: @Sendable (ExpansionJob.Settings) -> ExpansionJob?
    let errors: OperatorErrors
    let clock: any WallClock
    let checkSeconds: Double

    /// A scheduler over `routes` (those with expansion enabled are considered); `makeJob`
    /// builds a job on the gateway's teacher and log (nil: no teacher, nothing starts).
    public init(routes: [RouteConfiguration], reader: SQLiteCorpus, tracker: ExpansionTracker,
                metrics: any MetricsRecorder, clock: any WallClock = SystemWallClock(), checkSeconds: Double,
                makeJob: @escaping @Sendable (ExpansionJob.Settings) -> ExpansionJob?) {
        self.routes = routes.filter(\.expansion.enabled)
        self.reader = reader
        self.tracker = tracker
        self.makeJob = makeJob
        errors = OperatorErrors(metrics: metrics)
        self.clock = clock
        self.checkSeconds = checkSeconds
    }

    /// Starts the checks in a background task (none when no route has expansion enabled);
    /// returns it (cancel to stop).
    @discardableResult
    public func start() -> Task<Void, Never>? {
        guard !routes.isEmpty else { return nil }
        let interval = max(1, checkSeconds)
        return Task.detached { [self] in
            while !Task.isCancelled {
                errors.attempt("expansion", "checking whether an expansion job is due") { try check() }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    /// One check: starts the first due job and returns its settings, if any.
    @discardableResult
    public func check() throws -> ExpansionJob.Settings? {
        for route in routes {
            let name = route.name.rawValue
            var curation = CurationFilter()
            curation.routes = [name]
            let eligible = try TrainingDataReader(reader: reader, curation: curation).eligibleCounts().exchanges
            let tagged = try reader.taggedSummary(route: name, tag: ExpansionJob.tag)
            let observation = ExpansionPolicy.Observation(
                now: clock.now(), logged: max(0, eligible - tagged.count), expanded: tagged.count,
                lastExpandedAt: tagged.latest, lastStartedAt: tracker.lastStart(route: name), running: tracker.isRunning)
            guard let count = ExpansionPolicy(settings: route.expansion).due(observation) else { continue }
            var settings = ExpansionJob.Settings(route: name, teacherModel: route.teacherModel, count: count)
            settings.examples = route.expansion.seeds
            settings.maxTeacherTokens = route.expansion.maxTeacherTokens
            settings.randomSeed = UInt64(tagged.count) &+ 1  // each job shows other examples
            guard let job = makeJob(settings) else { return nil }
            let errors = errors
            let started = tracker.start(job, trigger: "schedule", at: observation.now) { error in
                errors.report(error, operation: "expansion", context: "scheduled expansion of route \(name)")
            }
            return started ? settings : nil
        }
        return nil
    }
}
