extension Migrations {
    /// Migration 4: progressive serving: each route's current state, the events that
    /// changed it, quality-gate results, and student answers that were not served
    /// (shadow runs and fallbacks: ready rejected samples for DPO).
    static let serving = """
        CREATE TABLE serving_state (
            route         TEXT PRIMARY KEY,
            state         TEXT NOT NULL,              -- JSON of the route's serving state
            updated_at    REAL NOT NULL
        );
        CREATE TABLE serving_events (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            route         TEXT NOT NULL,
            recorded_at   REAL NOT NULL,
            event         TEXT NOT NULL               -- JSON of the serving event
        );
        CREATE INDEX serving_events_route ON serving_events(route, id);
        CREATE TABLE eval_results (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            version       TEXT NOT NULL,              -- student version evaluated
            split_version INTEGER,                    -- held-out split used
            created_at    REAL NOT NULL,
            passed        INTEGER NOT NULL,
            metrics       TEXT NOT NULL               -- JSON
        );
        CREATE INDEX eval_results_version ON eval_results(version, id);
        CREATE TABLE student_answers (
            exchange_id   TEXT NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
            version       TEXT,                       -- student version that answered
            kind          TEXT NOT NULL,              -- 'shadow' or 'fallback'
            reason        TEXT,                       -- why it was not served
            created_at    REAL NOT NULL,
            response      TEXT,                       -- chat.completion JSON
            PRIMARY KEY (exchange_id, kind)
        ) WITHOUT ROWID;
        """
}
