import ChatAPI

/// One training run as the corpus records it (table `training_runs`).
public struct TrainingRun: Sendable, Equatable {
    /// Where a run is in its life.
    public enum Status: String, Sendable, CaseIterable {
        /// Created (e.g. by `POST /admin/train`), its process not started yet.
        case queued
        /// Its process is training (or died while training: see `pid`).
        case running
        /// Finished and registered a student version.
        case succeeded
        /// Stopped with an error; no version was registered.
        case failed

        /// Queued or running: another run may not start meanwhile.
        public var isActive: Bool { self == .queued || self == .running }
    }

    /// UUIDv7.
    public var id: String
    /// `sft` or `dpo`.
    public var kind: String
    /// Current status.
    public var status: Status
    /// Unix seconds.
    public var createdAt: Double
    /// Unix seconds when its process started (or last resumed) training.
    public var startedAt: Double?
    /// Unix seconds when it succeeded or failed.
    public var finishedAt: Double?
    /// The student version it trains from; nil for the base model.
    public var baseVersion: String?
    /// The run's settings as given.
    public var config: JSONValue
    /// What it trained on: held-out version, counts, hash of example ids.
    public var dataSnapshot: JSONValue?
    /// Final metrics.
    public var metrics: JSONValue?
    /// Why it failed.
    public var error: String?
    /// The training process while it runs.
    public var pid: Int?

    /// The run as the admin API shows it.
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("kind", .string(kind)), ("status", .string(status.rawValue)),
            ("created_at", .double(createdAt)), ("started_at", startedAt.map(JSONValue.double) ?? .null),
            ("finished_at", finishedAt.map(JSONValue.double) ?? .null),
            ("base_version", baseVersion.map(JSONValue.string) ?? .null), ("config", config),
            ("data_snapshot", dataSnapshot ?? .null), ("metrics", metrics ?? .null),
            ("error", error.map(JSONValue.string) ?? .null), ("pid", pid.map(JSONValue.int) ?? .null),
        ])
    }

    /// Columns read by ``init(row:)``.
    static let columns = """
        id, kind, status, created_at, started_at, finished_at, base_version, config, data_snapshot, metrics, error, pid
        """

    /// Decodes a row selected with ``columns``. The JSON columns parse leniently, as before
    /// (unparsable JSON reads as empty or nil); an unknown status reads as `failed`.
    init(row: SQLiteRow) throws(SQLiteError) {
        id = try row.text("id")
        kind = try row.text("kind")
        status = Status(rawValue: try row.text("status")) ?? .failed
        createdAt = try row.double("created_at")
        startedAt = try row.optionalDouble("started_at")
        finishedAt = try row.optionalDouble("finished_at")
        baseVersion = try row.optionalText("base_version")
        config = Self.parsed(try row.text("config")) ?? .object([])
        dataSnapshot = try row.optionalText("data_snapshot").flatMap(Self.parsed)
        metrics = try row.optionalText("metrics").flatMap(Self.parsed)
        error = try row.optionalText("error")
        pid = try row.optionalInt("pid")
    }

    /// `text` parsed as JSON, or nil when it does not parse.
    private static func parsed(_ text: String) -> JSONValue? { try? JSONValue.parse(text) }
}

/// One point of a run's metric curve (table `training_metrics`).
public struct TrainingMetricPoint: Sendable, Equatable {
    /// Optimizer step.
    public var step: Int
    /// Unix seconds.
    public var recordedAt: Double
    /// Loss, learning rate, tokens/s, ... as a JSON object.
    public var values: JSONValue

    /// A point.
    public init(step: Int, recordedAt: Double, values: JSONValue) {
        self.step = step
        self.recordedAt = recordedAt
        self.values = values
    }

    /// The point as JSON: `{"step", "recorded_at", ...values}`.
    public var json: JSONValue {
        .object([("step", .int(step)), ("recorded_at", .double(recordedAt))] + (values.objectValue ?? []))
    }
}
