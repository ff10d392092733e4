import Corpus
import Distill
import Serving
import Teacher

/// What the gateway's handlers share: configuration, the teacher client, the corpus,
/// the metrics and the distillation loop's runtime. Built once by ``build(configuration:)``
/// (or by tests).
public struct GatewayServices: Sendable {
    /// The effective configuration.
    public let configuration: GatewayConfiguration
    /// The upstream client, nil when no teacher URL is configured.
    public let teacher: TeacherClient?
    /// The exchange writer.
    public let log: ExchangeLog
    /// The corpus connection (reads, feedback, runs).
    public let reader: SQLiteCorpus
    /// Counters and histograms.
    public let metrics: GatewayMetrics
    /// The local student, when a route needs it or it stands in for the teacher.
    public let student: StudentBackend?
    /// Progressive serving: the routes' modes, student versions, rollback and promotion.
    public let serving: ServingRuntime
    /// The expansion job, started over the admin API or by the schedule.
    public let expansions = ExpansionTracker()

    /// Assembles services from parts; the serving runtime shares the student's queue.
    public init(configuration: GatewayConfiguration, teacher: TeacherClient?, log: ExchangeLog,
                reader: SQLiteCorpus, student: StudentBackend? = nil, metrics: GatewayMetrics = GatewayMetrics(),
                clock: any WallClock = SystemWallClock()) {
        self.configuration = configuration
        self.teacher = teacher
        self.log = log
        self.reader = reader
        reader.follow(log)  // the gateway's reads see every exchange it acknowledged
        self.student = student
        self.metrics = metrics
        serving = ServingRuntime(routes: configuration.routes, serving: configuration.serving, student: configuration.student,
                                 store: ServingStore(reader: reader), preloaded: student, metrics: metrics, clock: clock,
                                 feedbackJudge: teacher.map { TeacherJudge(client: $0, model: "") })  // each route passes its model
    }

    /// Opens the corpus and creates the teacher client described by `configuration`.
    public static func build(configuration: GatewayConfiguration) throws -> GatewayServices {
        let log = try ExchangeLog(path: configuration.database, capacity: configuration.logQueueCapacity,
                                  batchSize: configuration.logBatchSize)
        let reader = try SQLiteCorpus(path: configuration.database)
        let teacher = configuration.teacher.url.map { _ in TeacherClient(configuration: configuration.teacher.clientConfiguration) }
        let student = configuration.needsStudent ? StudentBackend(settings: configuration.student) : nil
        return GatewayServices(configuration: configuration, teacher: teacher, log: log, reader: reader, student: student)
    }

    /// Starts training runs for the gateway (`POST /admin/train`, the schedule): children of
    /// `training.executable` (else this binary) with ``GatewayConfiguration/trainingEnvironment``
    /// and the gateway's own configuration file.
    public var trainingLauncher: TrainingLauncher {
        TrainingLauncher(executable: configuration.training.executable, database: configuration.database,
                         baseModel: configuration.student.model, environment: configuration.trainingEnvironment,
                         configPath: configuration.sourcePath)
    }

    /// The automatic training schedule over this gateway's corpus.
    public var trainingScheduler: TrainingScheduler {
        TrainingScheduler(settings: configuration.training, reader: reader, launcher: trainingLauncher,
                          metrics: metrics, clock: serving.clock)
    }

    /// An expansion job on the gateway's teacher and log; nil with no teacher configured.
    public func expansionJob(_ settings: ExpansionJob.Settings) -> ExpansionJob? {
        guard let teacher, let url = configuration.teacher.url else { return nil }
        return ExpansionJob(reader: reader, log: log, teacher: TeacherChat(client: teacher, api: configuration.teacher.api),
                            teacherURL: url, settings: settings)
    }

    /// Expansion on a schedule for the routes with `expansion.enabled`, checked as often as
    /// the training schedule.
    public var expansionScheduler: ExpansionScheduler {
        ExpansionScheduler(routes: configuration.routes, reader: reader, tracker: expansions, metrics: metrics,
                           clock: serving.clock, checkSeconds: Double(configuration.training.checkSeconds)) { self.expansionJob($0) }
    }
}
