import ChatAPI
import Foundation

/// Training runs, their metric curves and the registry of student versions.
/// Every change is atomic (one statement or one transaction).
public protocol TrainingStorage: Sendable {
    /// Records a new queued run (its id a UUIDv7 of `now`) and returns it.
    func createRun(kind: String, config: JSONValue, baseVersion: String?, now: Date) throws -> TrainingRun
    /// Marks run `id` running in process `pid`, with the data it trains on.
    ///
    /// - Throws: ``CorpusError/notFound(_:parameter:)`` when there is no such run.
    func startRun(id: String, pid: Int, dataSnapshot: JSONValue, now: Date) throws
    /// Marks run `id` succeeded with its final metrics (``CorpusError/notFound(_:parameter:)`` if unknown).
    func finishRun(id: String, metrics: JSONValue, now: Date) throws
    /// Marks run `id` failed with `error` (``CorpusError/notFound(_:parameter:)`` if unknown).
    func failRun(id: String, error: String, now: Date) throws
    /// Stores (or replaces) the metrics of `step` of run `runID`.
    func recordMetric(runID: String, step: Int, values: JSONValue, now: Date) throws
    /// Run `id`, or nil.
    func run(id: String) throws -> TrainingRun?
    /// The newest runs first (by creation time, then id), only those with `status` when given.
    func runs(status: TrainingRun.Status?, limit: Int) throws -> [TrainingRun]
    /// The metric curve of run `runID` by step; at most `limit` points, evenly thinned.
    func metrics(runID: String, limit: Int) throws -> [TrainingMetricPoint]
    /// The metric point of run `runID` with the highest step, if any.
    func lastMetric(runID: String) throws -> TrainingMetricPoint?
    /// Registers `student`. Versions are immutable: registering an existing name throws
    /// ``CorpusError/unprocessable(_:parameter:)`` and changes nothing.
    func register(_ student: StudentVersion) throws
    /// Every version, newest first.
    func students() throws -> [StudentVersion]
    /// Version `name`, or nil.
    func student(version name: String) throws -> StudentVersion?
    /// The next free version name: `s-0001`, `s-0002`, ...
    func nextVersionName() throws -> String
}

/// What a training run learns from: the curated train split, never a held-out prompt.
/// Before the first read a held-out version is frozen if none exists, so the quality
/// gate's rows are fixed before any student sees data.
public protocol TrainingDataSource: Sendable {
    /// Which exchanges qualify.
    var curation: CurationFilter { get }
    /// The held-out version that train reads exclude, frozen now if none exists.
    func heldOutVersion() throws -> HeldOutVersion
    /// Every curated train-split exchange with a text prompt and a text answer, oldest first.
    func sftExamples() throws -> [TrainingConversation]
    /// Every train-split preference pair with text on both sides, oldest first.
    func preferencePairs() throws -> [TrainingPreference]
    /// How many curated train exchanges and preference pairs exist now (cheap: keys only).
    func eligibleCounts() throws -> (exchanges: Int, pairs: Int)
}

extension TrainingStore: TrainingStorage {}
extension TrainingDataReader: TrainingDataSource {}
