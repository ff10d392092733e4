@testable import Corpus
import Foundation
import Testing

@Suite struct MigrationUpgradeTests {
    /// A corpus written by the first schema gains seq, search, rollups and stats when upgraded.
    @Test func version1DataIsBackfilled() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retort-v1-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let db = try SQLiteDatabase(path: path)
            try db.execute(Migrations.all[0])
            try db.execute("PRAGMA user_version = 1")
            try db.execute("""
                INSERT INTO exchanges (id, created_at, route, served_by, status, stream, prompt_hash, latency_ms, prompt_tokens, completion_tokens)
                VALUES ('old-1', 1, 'r', 'teacher', 200, 0, 'h1', 42, 3, 4), ('old-2', 2, 'r', 'teacher', 502, 0, 'h2', 5, NULL, NULL);
                INSERT INTO exchange_bodies VALUES
                  ('old-1', '{"messages":[{"role":"user","content":"ancient question"}]}', '{"choices":[{"message":{"role":"assistant","content":"old answer"}}]}'),
                  ('old-2', 'not json at all', NULL);
                """)
        }
        let log = try ExchangeLog(path: path)
        defer { log.close() }
        let reader = try SQLiteCorpus(path: path)
        #expect(try reader.list(ExchangeFilter(text: "ancient")).items.map(\.id) == ["old-1"])
        #expect(try reader.list(ExchangeFilter()).items.map(\.id) == ["old-2", "old-1"])
        let stats = try reader.stats()
        #expect(stats.exchanges == 2 && stats.promptTokens == 3 && stats.latencyP50 == 42)
    }
}
