extension Migrations {
    /// Migration 4: progressive serving: each route's current state, the events that
    /// changed it, quality-gate results, and student answers that were not served
    /// (shadow runs and fallbacks: ready rejected samples for DPO).
    ///
    /// `student_answers.exchange_id` has no foreign key on purpose: a shadow answer can
    /// be written before the exchange log's writer has committed its exchange.
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
            version       TEXT NOT NULL,              -- student version (or GGUF path) evaluated
            route         TEXT,                       -- the route whose rows were scored; NULL: all
            split_version INTEGER,                    -- held-out split used
            created_at    REAL NOT NULL,
            passed        INTEGER NOT NULL,
            metrics       TEXT NOT NULL               -- JSON
        );
        CREATE INDEX eval_results_version ON eval_results(version, id);
        CREATE TABLE student_answers (
            exchange_id   TEXT NOT NULL,              -- the exchange the teacher answered
            route         TEXT NOT NULL,
            version       TEXT,                       -- student version that answered
            kind          TEXT NOT NULL,              -- 'shadow' or 'fallback'
            reason        TEXT,                       -- why it was not served
            judgment      TEXT,                       -- shadow: 'win' | 'tie' | 'loss' against the teacher's answer
            created_at    REAL NOT NULL,
            response      TEXT,                       -- chat.completion JSON
            PRIMARY KEY (exchange_id, kind)
        ) WITHOUT ROWID;
        CREATE INDEX student_answers_route ON student_answers(route, created_at);
        """
}

extension Migrations {
    /// Migration 5: the router learned for a student version on a route (when it scores a
    /// prompt and an answer good enough to serve), replaced when the version is evaluated again.
    static let routers = """
        CREATE TABLE routers (
            version       TEXT NOT NULL,              -- student version (or GGUF path)
            route         TEXT NOT NULL,
            created_at    REAL NOT NULL,
            router        TEXT NOT NULL,              -- JSON: models, thresholds, calibration
            PRIMARY KEY (version, route)
        ) WITHOUT ROWID;
        """
}
