import Corpus
import Teacher

/// What the gateway's handlers share: configuration, the teacher client, the corpus
/// and the metrics. Built once by ``buildServices(configuration:)`` (or by tests).
public struct GatewayServices: Sendable {
    /// The effective configuration.
    public let configuration: GatewayConfiguration
    /// The upstream client, nil when no teacher URL is configured.
    public let teacher: TeacherClient?
    /// The exchange writer.
    public let log: ExchangeLog
    /// Read access to the corpus.
    public let reader: CorpusReader
    /// Counters and histograms.
    public let metrics: GatewayMetrics
    /// The local student, when a route needs it or it stands in for the teacher.
    public let student: StudentBackend?
    /// Progressive serving: the routes' modes, student versions, rollback and promotion.
    public let serving: ServingRuntime

    /// Assembles services from parts; the serving runtime shares the student's queue.
    public init(configuration: GatewayConfiguration, teacher: TeacherClient?, log: ExchangeLog,
                reader: CorpusReader, student: StudentBackend? = nil, metrics: GatewayMetrics = GatewayMetrics()) {
        self.configuration = configuration
        self.teacher = teacher
        self.log = log
        self.reader = reader
        self.student = student
        self.metrics = metrics
        serving = ServingRuntime(configuration: configuration, reader: reader,
                                 queue: student?.queue ?? StudentQueue(capacity: configuration.student.maxQueue),
                                 preloaded: student, metrics: metrics)
    }

    /// Opens the corpus and creates the teacher client described by `configuration`.
    public static func build(configuration: GatewayConfiguration) throws -> GatewayServices {
        let log = try ExchangeLog(path: configuration.database, capacity: configuration.logQueueCapacity,
                                  batchSize: configuration.logBatchSize)
        let reader = try CorpusReader(path: configuration.database)
        let teacher = configuration.teacher.url.map { _ in TeacherClient(configuration: configuration.teacher.clientConfiguration) }
        let student = configuration.needsStudent ? StudentBackend(settings: configuration.student) : nil
        return GatewayServices(configuration: configuration, teacher: teacher, log: log, reader: reader, student: student)
    }
}
