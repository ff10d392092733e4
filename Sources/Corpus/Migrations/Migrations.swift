import Foundation

/// The corpus schema as an ordered list of migrations. `PRAGMA user_version` holds
/// how many have been applied; each runs in its own transaction, so a crash leaves
/// the database at a whole version.
public enum Migrations {
    /// Every migration, oldest first. Append only: never edit a shipped one.
    static let all: [String] = [
        // 1: exchanges, lean rows for listing; bodies apart so scans stay fast.
        """
        CREATE TABLE exchanges (
            id                TEXT PRIMARY KEY,   -- UUIDv7, also the x-retort-exchange-id header
            created_at        REAL NOT NULL,      -- unix seconds, request received
            completed_at      REAL,               -- unix seconds, response finished
            route             TEXT NOT NULL,      -- the model name the client asked for
            served_by         TEXT NOT NULL,      -- 'teacher' or 'student'
            served_reason     TEXT,               -- why that server (mode, fallback reason)
            teacher_url       TEXT,
            upstream_model    TEXT,               -- model name sent upstream
            completion_id     TEXT,               -- the 'id' of the chat completion the client saw
            status            INTEGER NOT NULL,   -- HTTP status the client got (499: client went away)
            error             TEXT,
            latency_ms        REAL,
            ttft_ms           REAL,               -- time to first byte of the answer
            prompt_tokens     INTEGER,
            completion_tokens INTEGER,
            total_tokens      INTEGER,
            finish_reason     TEXT,
            stream            INTEGER NOT NULL,
            attempts          INTEGER NOT NULL DEFAULT 1,
            user              TEXT,
            tags              TEXT,               -- JSON array of strings
            metadata          TEXT,               -- JSON object from the request
            prompt_hash       TEXT NOT NULL       -- sha256 of the messages JSON
        );
        CREATE INDEX exchanges_created ON exchanges(created_at);
        CREATE INDEX exchanges_completion ON exchanges(completion_id);
        CREATE INDEX exchanges_route_created ON exchanges(route, created_at);
        CREATE INDEX exchanges_prompt ON exchanges(prompt_hash);
        CREATE TABLE exchange_bodies (
            exchange_id TEXT PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
            request     TEXT NOT NULL,            -- the request JSON as received, no auth headers
            response    TEXT                      -- chat.completion JSON; a stream reassembled
        );
        """,
        // 2: feedback, preference pairs, FTS5 search, stats rollups, held-out splits.
        feedbackAndSearch,
        // 3: training runs, metric curves, student versions.
        training,
        // 4: serving state and events, gate results, unserved student answers.
        serving,
        // 5: the per-route routers learned for each student version.
        routers,
        // 6: the API surface of each exchange, and its raw bodies when they are not chat completions.
        """
        ALTER TABLE exchanges ADD COLUMN surface TEXT NOT NULL DEFAULT 'chat';  -- 'chat', 'responses' or 'messages'
        ALTER TABLE exchange_bodies ADD COLUMN raw_request TEXT;   -- the body as the client sent it (other surfaces)
        ALTER TABLE exchange_bodies ADD COLUMN raw_response TEXT;  -- the answer in the client's surface
        """,
        // 7: a preference pair's rejected side may be a message no exchange answered (a judged student answer).
        """
        ALTER TABLE preference_pairs ADD COLUMN rejected_message TEXT;  -- JSON assistant message; else the exchange's choice
        """,
        // 8: the teacher's token log-probabilities of an answer (teacher.capture_logprobs), for logprob distillation.
        """
        CREATE TABLE exchange_logprobs (
            exchange_id TEXT PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
            tokens      INTEGER NOT NULL,   -- answer tokens covered
            data        BLOB NOT NULL       -- TokenLogprobs.encoded: per token its bytes, f16 logprob and top alternatives
        );
        """,
        // 9: self-consistency checks: the teacher asked again, and whether it gave the same answer.
        """
        CREATE TABLE consistency_checks (
            exchange_id TEXT PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
            checked_at  REAL NOT NULL,
            temperature REAL NOT NULL,
            agreed      INTEGER NOT NULL,   -- 1: the second answer matched the logged one
            answer      TEXT                -- the second answer's text
        );
        """,
        // 10: a lighter commit path (the acknowledged write of every request).
        writePath,
    ]

    /// The schema version this build writes.
    public static var currentVersion: Int { all.count }

    /// Brings `database` up to ``currentVersion``.
    ///
    /// - Throws: if the file is newer than this build understands, or a migration fails.
    ///
    /// Safe when several processes open a new corpus at once (the gateway and a training
    /// child, two CLI commands): the version is read again under the write lock
    /// (`BEGIN IMMEDIATE`), so only one of them applies the migrations.
    public static func migrate(_ database: SQLiteDatabase) throws {
        func version() throws -> Int {
            let version = try database.fetchOne("PRAGMA user_version") { try $0.int("user_version") } ?? 0
            guard version <= all.count else {
                throw SQLiteError(code: 0, message: "database schema version \(version) is newer than this build (\(all.count))")
            }
            return version
        }
        guard try version() < all.count else { return }
        try database.transaction {
            for index in try version()..<all.count {
                try database.execute(all[index])
            }
            try database.execute("PRAGMA user_version = \(all.count)")
        }
    }

    /// Connection settings every corpus connection uses: WAL for concurrent readers,
    /// `synchronous=NORMAL` (durable across process crashes; an OS crash may lose the
    /// last transactions), foreign keys on.
    ///
    /// Switching a new file to WAL needs a moment alone with it, and SQLite answers `BUSY`
    /// at once (no busy timeout) when another connection opens it at the same time, so the
    /// switch is retried for up to a second.
    public static func configure(_ database: SQLiteDatabase) throws(SQLiteError) {
        for attempt in 1... {
            do {
                try database.execute("PRAGMA journal_mode=WAL")
                break
            } catch where error.code & 0xff == 5 && attempt < 50 {  // SQLITE_BUSY
                usleep(20_000)
            }
        }
        try database.execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    }
}
