extension Migrations {
    /// Migration 10: what every request's acknowledged commit pays, cut down.
    ///
    /// - The full-text index and the stats rollups are no longer maintained by triggers in
    ///   the commit: ``DerivedTables`` brings them up to date in batches after it (the
    ///   writer, a quarter-second behind at most) and before any search or stats read, from
    ///   the watermark in `derived_progress`.
    /// - The two `created_at` indexes go: no query uses them (pages are keyed by `seq`).
    /// - The status, server and rating indexes become partial: they hold only the rare
    ///   values a filter looks for (not 200, not `teacher`, rated). The listing query states
    ///   the index's condition next to its filter, so SQLite can use them; the common value
    ///   scans the `seq` index, where nearly every row matches.
    /// - The writer assigns `seq` itself (``ExchangeWriter``); the trigger stays for any
    ///   other insert.
    static let writePath = """
        DROP TRIGGER exchange_bodies_fts;
        DROP TRIGGER exchanges_rollup;
        DROP INDEX exchanges_created;
        DROP INDEX exchanges_route_created;
        DROP INDEX exchanges_status_seq;
        DROP INDEX exchanges_served_seq;
        DROP INDEX exchanges_rating_seq;
        CREATE INDEX exchanges_status_seq ON exchanges(status, seq) WHERE status <> 200;
        CREATE INDEX exchanges_served_seq ON exchanges(served_by, seq) WHERE served_by <> 'teacher';
        CREATE INDEX exchanges_rating_seq ON exchanges(rating, seq) WHERE rating IS NOT NULL;
        CREATE TABLE derived_progress (name TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO derived_progress SELECT 'search_and_rollups', coalesce(max(seq), 0) FROM exchanges;
        """
}
