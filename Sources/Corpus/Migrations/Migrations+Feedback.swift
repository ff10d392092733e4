extension Migrations {
    /// Migration 2: feedback, preference pairs, full-text search, rollups for stats,
    /// held-out splits.
    ///
    /// `exchanges.seq` is a stable insertion counter set by a trigger: list pages are
    /// keyed by it (`ORDER BY seq DESC`) and it is the rowid of the contentless FTS5
    /// table. Plain rowids would not do: `VACUUM` may renumber them.
    ///
    /// Every trigger tolerates malformed JSON in the bodies (`json_valid` guards),
    /// so a strange request can never make the writer's insert fail.
    static let feedbackAndSearch = """
        ALTER TABLE exchanges ADD COLUMN seq INTEGER;      -- insertion order; FTS rowid; page key
        ALTER TABLE exchanges ADD COLUMN rating INTEGER;   -- latest thumbs: 1 up, -1 down, NULL none
        UPDATE exchanges SET seq = rowid;
        CREATE UNIQUE INDEX exchanges_seq ON exchanges(seq);
        CREATE INDEX exchanges_route_seq ON exchanges(route, seq);
        CREATE INDEX exchanges_status_seq ON exchanges(status, seq);
        CREATE INDEX exchanges_served_seq ON exchanges(served_by, seq);
        CREATE INDEX exchanges_rating_seq ON exchanges(rating, seq);
        CREATE TRIGGER exchanges_assign_seq AFTER INSERT ON exchanges WHEN NEW.seq IS NULL BEGIN
            UPDATE exchanges SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM exchanges) WHERE rowid = NEW.rowid;
        END;

        CREATE VIRTUAL TABLE exchange_fts USING fts5(prompt, answer, content = '', tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO exchange_fts(rowid, prompt, answer)
            SELECT e.seq, \(promptText("b.request")), \(answerText("b.response"))
            FROM exchanges e JOIN exchange_bodies b ON b.exchange_id = e.id;
        CREATE TRIGGER exchange_bodies_fts AFTER INSERT ON exchange_bodies BEGIN
            INSERT INTO exchange_fts(rowid, prompt, answer)
                SELECT e.seq, \(promptText("NEW.request")), \(answerText("NEW.response"))
                FROM exchanges e WHERE e.id = NEW.exchange_id AND e.seq IS NOT NULL;
        END;

        CREATE TABLE exchange_rollup (
            route TEXT NOT NULL, status INTEGER NOT NULL, served_by TEXT NOT NULL,
            exchanges INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
            PRIMARY KEY (route, status, served_by)
        ) WITHOUT ROWID;
        INSERT INTO exchange_rollup
            SELECT route, status, served_by, count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0)
            FROM exchanges GROUP BY route, status, served_by;
        -- latency of status-200 exchanges, bucketed to three significant digits of milliseconds
        CREATE TABLE latency_histogram (bucket TEXT PRIMARY KEY, exchanges INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO latency_histogram
            SELECT printf('%.2e', latency_ms), count(*) FROM exchanges
            WHERE status = 200 AND latency_ms IS NOT NULL GROUP BY 1;
        CREATE TRIGGER exchanges_rollup AFTER INSERT ON exchanges BEGIN
            INSERT INTO exchange_rollup VALUES (NEW.route, NEW.status, NEW.served_by, 1,
                    coalesce(NEW.prompt_tokens, 0), coalesce(NEW.completion_tokens, 0))
                ON CONFLICT (route, status, served_by) DO UPDATE SET exchanges = exchanges + 1,
                    prompt_tokens = prompt_tokens + excluded.prompt_tokens,
                    completion_tokens = completion_tokens + excluded.completion_tokens;
            INSERT INTO latency_histogram SELECT printf('%.2e', NEW.latency_ms), 1
                WHERE NEW.status = 200 AND NEW.latency_ms IS NOT NULL
                ON CONFLICT (bucket) DO UPDATE SET exchanges = exchanges + 1;
        END;

        CREATE TABLE feedback (
            id                   TEXT PRIMARY KEY,   -- UUIDv7
            created_at           REAL NOT NULL,
            exchange_id          TEXT NOT NULL,      -- the exchange it is about (pairwise: the chosen one)
            kind                 TEXT NOT NULL,      -- 'annotation' | 'pairwise' | 'choices'
            rating               INTEGER,            -- 1 up, -1 down
            score                REAL,               -- 0.0 (worst) ... 1.0 (best)
            comment              TEXT,
            demonstration        TEXT,               -- JSON assistant message: the answer wanted
            chosen_exchange_id   TEXT,
            rejected_exchange_id TEXT,
            chosen_index         INTEGER,
            rejected_index       INTEGER,
            idempotency_key      TEXT UNIQUE,
            tags                 TEXT                -- JSON as the client sent it
        );
        CREATE INDEX feedback_exchange ON feedback(exchange_id, created_at);

        CREATE TABLE preference_pairs (
            id                   INTEGER PRIMARY KEY,
            created_at           REAL NOT NULL,
            source               TEXT NOT NULL,      -- 'pairwise' | 'choices' | 'demonstration' | 'rating'
            prompt_hash          TEXT NOT NULL,
            chosen_exchange_id   TEXT NOT NULL,
            chosen_index         INTEGER NOT NULL,
            chosen_message       TEXT,               -- demonstration: the wanted message; else the exchange's choice
            rejected_exchange_id TEXT NOT NULL,
            rejected_index       INTEGER NOT NULL,
            feedback_id          TEXT NOT NULL       -- provenance: the feedback row that produced the pair
        );
        CREATE UNIQUE INDEX preference_pairs_unique
            ON preference_pairs(source, chosen_exchange_id, chosen_index, rejected_exchange_id, rejected_index, feedback_id);
        CREATE INDEX preference_pairs_chosen ON preference_pairs(chosen_exchange_id);
        CREATE INDEX preference_pairs_rejected ON preference_pairs(rejected_exchange_id);

        CREATE TABLE heldout_splits (
            version      INTEGER PRIMARY KEY,
            created_at   REAL NOT NULL,
            test_percent REAL NOT NULL,
            criteria     TEXT NOT NULL,              -- JSON of the curation filter used
            row_count    INTEGER NOT NULL
        );
        CREATE TABLE heldout_rows (
            version     INTEGER NOT NULL,
            exchange_id TEXT NOT NULL,
            prompt_hash TEXT NOT NULL,
            PRIMARY KEY (version, exchange_id)
        ) WITHOUT ROWID;
        CREATE INDEX heldout_rows_prompt ON heldout_rows(prompt_hash, version);
        """

    /// SQL for the text of every message in the request JSON `column`, for the index.
    static func promptText(_ column: String) -> String {
        """
        (SELECT group_concat(json_extract(m.value, '$.content'), ' ')
         FROM json_each(CASE WHEN json_valid(\(column)) THEN \(column) ELSE '{}' END, '$.messages') m
         WHERE m.type = 'object')
        """
    }

    /// SQL for the text of every choice in the response JSON `column`, for the index.
    static func answerText(_ column: String) -> String {
        """
        (SELECT group_concat(json_extract(c.value, '$.message.content'), ' ')
         FROM json_each(CASE WHEN json_valid(\(column)) THEN \(column) ELSE '{}' END, '$.choices') c
         WHERE c.type = 'object')
        """
    }
}
