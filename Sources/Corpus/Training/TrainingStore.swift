import ChatAPI
import Foundation

/// Training runs, their metric curves and the student registry, on the reader's
/// connection. Every change is one statement or one transaction.
public struct TrainingStore: Sendable {
    /// The connection used.
    public let reader: SQLiteCorpus

    /// A store over `reader`'s connection.
    public init(reader: SQLiteCorpus) {
        self.reader = reader
    }

    /// Records a new queued run and returns it.
    public func createRun(kind: String, config: JSONValue, baseVersion: String? = nil, now: Date = Date()) throws -> TrainingRun {
        let id = ExchangeID.make(now: now)
        try reader.withDatabase { db in
            try db.prepare("INSERT INTO training_runs (id, kind, status, created_at, base_version, config) VALUES (?,?,?,?,?,?)")
                .run([id, kind, TrainingRun.Status.queued.rawValue, now.timeIntervalSince1970, baseVersion, config.jsonString])
        }
        guard let run = try run(id: id) else { throw CorpusError.notFound("Run \(id) vanished.", parameter: "id") }
        return run
    }

    /// Records a new queued run unless a run is queued or running: checked and inserted in
    /// one statement, so two requests racing cannot both start one. Nil when another is active.
    public func claimRun(kind: String, config: JSONValue, baseVersion: String? = nil, now: Date = Date()) throws -> TrainingRun? {
        let id = ExchangeID.make(now: now)
        let inserted = try reader.withDatabase { db in
            try db.prepare("""
                INSERT INTO training_runs (id, kind, status, created_at, base_version, config)
                SELECT ?,?,?,?,?,? WHERE NOT EXISTS (SELECT 1 FROM training_runs WHERE status IN ('queued', 'running'))
                """).run([id, kind, TrainingRun.Status.queued.rawValue, now.timeIntervalSince1970, baseVersion, config.jsonString])
            return db.changes == 1
        }
        return inserted ? try run(id: id) : nil
    }

    /// Marks run `id` running in process `pid`, with the data it trains on.
    public func startRun(id: String, pid: Int, dataSnapshot: JSONValue, now: Date = Date()) throws {
        try update(id, "status = 'running', started_at = ?, pid = ?, data_snapshot = ?, error = NULL",
                   [now.timeIntervalSince1970, pid, dataSnapshot.jsonString])
    }

    /// Marks run `id` succeeded with its final metrics.
    public func finishRun(id: String, metrics: JSONValue, now: Date = Date()) throws {
        try update(id, "status = 'succeeded', finished_at = ?, metrics = ?, pid = NULL",
                   [now.timeIntervalSince1970, metrics.jsonString])
    }

    /// Marks run `id` failed with `error`.
    public func failRun(id: String, error: String, now: Date = Date()) throws {
        try update(id, "status = 'failed', finished_at = ?, error = ?, pid = NULL", [now.timeIntervalSince1970, error])
    }

    private func update(_ id: String, _ assignments: String, _ arguments: [any SQLiteBindable]) throws {
        try reader.withDatabase { db in
            try db.prepare("UPDATE training_runs SET \(assignments) WHERE id = ?").run(arguments + [id])
            guard db.changes == 1 else { throw CorpusError.notFound("No training run `\(id)`.", parameter: "id") }
        }
    }

    /// Stores (or replaces) the metrics of `step`.
    public func recordMetric(runID: String, step: Int, values: JSONValue, now: Date = Date()) throws {
        try reader.withDatabase { db in
            try db.prepare("INSERT OR REPLACE INTO training_metrics (run_id, step, recorded_at, values_json) VALUES (?,?,?,?)")
                .run([runID, step, now.timeIntervalSince1970, values.jsonString])
        }
    }

    /// Run `id`, or nil.
    public func run(id: String) throws -> TrainingRun? {
        try reader.withDatabase { db in
            try db.fetchOne("SELECT \(TrainingRun.columns) FROM training_runs WHERE id = ?", [id], TrainingRun.init(row:))
        }
    }

    /// The newest runs first, optionally only those with `status`.
    public func runs(status: TrainingRun.Status? = nil, limit: Int = 50) throws -> [TrainingRun] {
        try reader.withDatabase { db in
            let filter = status == nil ? "" : "WHERE status = ?"
            let arguments: [any SQLiteBindable] = (status.map { [$0.rawValue] } ?? []) + [limit]
            return try db.fetchAll("SELECT \(TrainingRun.columns) FROM training_runs \(filter) ORDER BY created_at DESC, id DESC LIMIT ?",
                                   arguments, TrainingRun.init(row:))
        }
    }

    /// The metric curve of run `runID`, by step; at most `limit` points, evenly thinned.
    public func metrics(runID: String, limit: Int = 10_000) throws -> [TrainingMetricPoint] {
        let all = try reader.withDatabase { db in
            try db.fetchAll("SELECT step, recorded_at, values_json FROM training_metrics WHERE run_id = ? ORDER BY step", [runID],
                            Self.metricPoint(row:))
        }
        guard all.count > limit, limit > 1 else { return all }
        return (0..<limit).map { all[$0 * (all.count - 1) / (limit - 1)] }
    }

    /// The metric point of run `runID` with the highest step, if any.
    public func lastMetric(runID: String) throws -> TrainingMetricPoint? {
        try reader.withDatabase { db in
            try db.fetchOne("SELECT step, recorded_at, values_json FROM training_metrics WHERE run_id = ? ORDER BY step DESC LIMIT 1",
                            [runID], Self.metricPoint(row:))
        }
    }

    /// A `training_metrics` row selected as `step, recorded_at, values_json` (unparsable values read as `{}`).
    private static func metricPoint(row: SQLiteRow) throws(SQLiteError) -> TrainingMetricPoint {
        let values = try row.text("values_json")
        return TrainingMetricPoint(step: try row.int("step"), recordedAt: try row.double("recorded_at"),
                                   values: (try? JSONValue.parse(values)) ?? .object([]))
    }
}
