import ChatAPI

/// Writes batches of exchanges on the writer thread's own connection.
///
/// `@unchecked Sendable` only so it can be handed to the writer thread once;
/// after that the thread is its sole user.
final class ExchangeWriter: @unchecked Sendable {
    let database: SQLiteDatabase
    let insertExchange: SQLiteStatement
    let insertBody: SQLiteStatement
    let insertLogprobs: SQLiteStatement
    let lastSeq: SQLiteStatement

    init(database: SQLiteDatabase) throws(SQLiteError) {
        self.database = database
        insertExchange = try database.prepare("""
            INSERT OR REPLACE INTO exchanges (id, created_at, completed_at, route, served_by, served_reason,
              teacher_url, upstream_model, completion_id, status, error, latency_ms, ttft_ms, prompt_tokens,
              completion_tokens, total_tokens, finish_reason, stream, attempts, user, tags, metadata, prompt_hash, surface, seq)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
        insertBody = try database.prepare(
            "INSERT OR REPLACE INTO exchange_bodies (exchange_id, request, response, raw_request, raw_response) VALUES (?,?,?,?,?)")
        insertLogprobs = try database.prepare("INSERT OR REPLACE INTO exchange_logprobs (exchange_id, tokens, data) VALUES (?,?,?)")
        lastSeq = try database.prepare("SELECT coalesce(max(seq), 0) AS last FROM exchanges")
    }

    /// Writes `batch` in one transaction, numbering the records' `seq` after the last one
    /// (read under the write lock, so another connection's inserts are counted).
    func write(_ batch: [ExchangeRecord]) throws {
        try database.transaction {
            try lastSeq.bind([])
            try lastSeq.step()
            var seq = try lastSeq.currentRow.int("last")
            try lastSeq.step()  // done: the statement holds nothing past this read
            for record in batch {
                seq += 1
                try insertExchange.run(ExchangeWriter.columns(of: record) + [seq])
                try insertBody.run([record.id, record.requestJSON, record.responseJSON, record.rawRequestJSON, record.rawResponseJSON])
                if let logprobs = record.teacherLogprobs {
                    try insertLogprobs.run([record.id, logprobs.tokens.count, SQLiteValue.blob(logprobs.encoded)])
                }
            }
        }
    }

    /// Writes the records of `records` SQLite does not have yet (by id): a recovered
    /// journal repeats exchanges the writer had already inserted, and those may have
    /// changed since (a rating), so they are left alone. Writes in batches, a failed batch
    /// record by record; returns how many were written and how many SQLite refused.
    func insertMissing(_ records: [ExchangeRecord]) throws -> (written: Int, refused: Int) {
        var missing: [ExchangeRecord] = []
        do {
            let known = try database.prepare("SELECT 1 AS known FROM exchanges WHERE id = ?")
            for record in records {
                try known.bind([record.id])
                if try !known.step() { missing.append(record) }
            }
        }  // the statement is finalized here, before the writes
        var written = 0, refused = 0
        for start in stride(from: 0, to: missing.count, by: 256) {
            let batch = Array(missing[start..<min(missing.count, start + 256)])
            do {
                try write(batch)
                written += batch.count
            } catch {
                for record in batch {
                    do {
                        try write([record])
                        written += 1
                    } catch {
                        refused += 1
                    }
                }
            }
        }
        return (written, refused)
    }

    static func columns(of r: ExchangeRecord) -> [any SQLiteBindable] {
        let tags: String? = r.tags.isEmpty ? nil : JSONValue.array(r.tags.map(JSONValue.string)).jsonString
        return [
            r.id, r.createdAt, r.completedAt, r.route, r.servedBy, r.servedReason,
            r.teacherURL, r.upstreamModel, r.completionID, r.status, r.error, r.latencyMs, r.ttftMs, r.promptTokens,
            r.completionTokens, r.totalTokens, r.finishReason, r.stream, r.attempts, r.user, tags, r.metadata, r.promptHash,
            r.surface,
        ]
    }
}
