import Foundation

/// Progressive-serving records on the reader's connection: each route's state, the
/// events that changed it, quality-gate results and unserved student answers
/// (migration 4). States and events are opaque JSON here; the gateway owns their shape.
public struct ServingStore: Sendable {
    /// The connection used.
    public let reader: CorpusReader

    /// A store over `reader`'s connection.
    public init(reader: CorpusReader) {
        self.reader = reader
    }

    /// Every stored route state.
    public func states() throws -> [StoredServingState] {
        try reader.withDatabase { db in
            try db.query("SELECT route, state, updated_at FROM serving_state ORDER BY route").map { row in
                StoredServingState(route: row[0].string ?? "", stateJSON: row[1].string ?? "", updatedAt: row[2].double ?? 0)
            }
        }
    }

    /// Replaces `route`'s state and appends the event that changed it, in one transaction.
    /// - Returns: the event's id.
    @discardableResult
    public func save(route: String, stateJSON: String, eventJSON: String, at time: Double) throws -> Int {
        try reader.withDatabase { db in
            try db.transaction {
                try db.prepare("""
                    INSERT INTO serving_state (route, state, updated_at) VALUES (?,?,?)
                    ON CONFLICT (route) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """).run([route, stateJSON, time])
                try db.prepare("INSERT INTO serving_events (route, recorded_at, event) VALUES (?,?,?)")
                    .run([route, time, eventJSON])
                return try db.query("SELECT last_insert_rowid()").first?.first?.int ?? 0
            }
        }
    }

    /// The newest event id (0 for none): a cheap change marker to poll.
    public func latestEventID() throws -> Int {
        try reader.withDatabase { db in
            try db.query("SELECT coalesce(max(id), 0) FROM serving_events").first?.first?.int ?? 0
        }
    }

    /// The newest `limit` events, of `route` only when given, newest first.
    public func events(route: String? = nil, limit: Int = 50) throws -> [StoredServingEvent] {
        try reader.withDatabase { db in
            let sql = "SELECT id, route, recorded_at, event FROM serving_events "
                + (route == nil ? "" : "WHERE route = ? ") + "ORDER BY id DESC LIMIT ?"
            let arguments: [any SQLiteBindable] = (route.map { [$0] } ?? []) + [max(limit, 0)]
            return try db.query(sql, arguments).map(StoredServingEvent.init(row:))
        }
    }

    /// The GGUF file of student `version` (table `students`: `directory/files["gguf"]`), or nil.
    public func studentModelPath(version: String) throws -> String? {
        try reader.withDatabase { db in
            guard let row = try db.query(
                "SELECT directory, json_extract(files, '$.gguf') FROM students WHERE version = ? AND json_valid(files)",
                [version]).first,
                let directory = row[0].string, let file = row[1].string
            else { return nil }
            return StudentVersion.path(of: file, in: directory)
        }
    }
}

/// One route's stored serving state.
public struct StoredServingState: Sendable, Equatable {
    /// The route.
    public var route: String
    /// The state as JSON.
    public var stateJSON: String
    /// Unix seconds of the last change.
    public var updatedAt: Double
}

/// One stored serving event.
public struct StoredServingEvent: Sendable, Equatable {
    /// Insertion order.
    public var id: Int
    /// The route it changed.
    public var route: String
    /// Unix seconds.
    public var recordedAt: Double
    /// The event as JSON.
    public var eventJSON: String

    /// Decodes a row in the order the store selects its columns.
    init(row: [SQLiteValue]) {
        id = row[0].int ?? 0
        route = row[1].string ?? ""
        recordedAt = row[2].double ?? 0
        eventJSON = row[3].string ?? "{}"
    }
}
