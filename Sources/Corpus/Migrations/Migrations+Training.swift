extension Migrations {
    /// Migration 3: training runs, their metric curves, and the student versions they
    /// produce.
    ///
    /// A run's `data_snapshot` records what it trained on (split version, row counts,
    /// a hash of the example ids), so a version can always be traced to its data.
    static let training = """
        CREATE TABLE training_runs (
            id            TEXT PRIMARY KEY,           -- UUIDv7
            kind          TEXT NOT NULL,              -- 'sft' or 'dpo'
            status        TEXT NOT NULL,              -- 'queued', 'running', 'succeeded', 'failed'
            created_at    REAL NOT NULL,
            started_at    REAL,
            finished_at   REAL,
            base_version  TEXT,                       -- student version trained from; NULL: the base model
            config        TEXT NOT NULL,              -- JSON of the run's settings
            data_snapshot TEXT,                       -- JSON: split version, counts, hash of example ids
            metrics       TEXT,                       -- JSON of the final metrics
            error         TEXT,
            pid           INTEGER                     -- the training process while it runs
        );
        CREATE INDEX training_runs_created ON training_runs(created_at);
        CREATE TABLE training_metrics (
            run_id        TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
            step          INTEGER NOT NULL,
            recorded_at   REAL NOT NULL,
            values_json   TEXT NOT NULL,              -- JSON: loss, learning rate, tokens/s, ...
            PRIMARY KEY (run_id, step)
        ) WITHOUT ROWID;
        CREATE TABLE students (
            version       TEXT PRIMARY KEY,           -- e.g. 's-0001'
            run_id        TEXT REFERENCES training_runs(id),
            parent        TEXT,                       -- the version it was trained from
            created_at    REAL NOT NULL,
            directory     TEXT NOT NULL,              -- where its files are
            files         TEXT NOT NULL,              -- JSON: role -> relative path
            metrics       TEXT                        -- JSON
        );
        """
}
