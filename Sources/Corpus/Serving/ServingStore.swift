import Foundation

/// Progressive-serving records on the reader's connection: each route's state, the
/// events that changed it, quality-gate results and unserved student answers
/// (migration 4). States and events are opaque JSON here; the gateway owns their shape.
public struct ServingStore: Sendable {
    /// The connection used.
    public let reader: SQLiteCorpus

    /// A store over `reader`'s connection.
    public init(reader: SQLiteCorpus) {
        self.reader = reader
    }

    /// Every stored route state.
    public func states() throws -> [StoredServingState] {
        try reader.withDatabase { db in
            try db.fetchAll("SELECT route, state, updated_at FROM serving_state ORDER BY route") { row in
                StoredServingState(route: try row.text("route"), stateJSON: try row.text("state"), updatedAt: try row.double("updated_at"))
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
                return db.lastInsertedRowID
            }
        }
    }

    /// The newest event id (0 for none): a cheap change marker to poll.
    public func latestEventID() throws -> Int {
        try reader.withDatabase { db in
            try db.fetchOne("SELECT coalesce(max(id), 0) AS latest FROM serving_events") { try $0.int("latest") } ?? 0
        }
    }

    /// The newest `limit` events, of `route` only when given, newest first.
    public func events(route: String? = nil, limit: Int = 50) throws -> [StoredServingEvent] {
        try reader.withDatabase { db in
            let sql = "SELECT id, route, recorded_at, event FROM serving_events "
                + (route == nil ? "" : "WHERE route = ? ") + "ORDER BY id DESC LIMIT ?"
            let arguments: [any SQLiteBindable] = (route.map { [$0] } ?? []) + [max(limit, 0)]
            return try db.fetchAll(sql, arguments, StoredServingEvent.init(row:))
        }
    }

    /// The GGUF file of student `version` (table `students`: `directory/files["gguf"]`), or nil.
    public func studentModelPath(version: String) throws -> String? {
        try reader.withDatabase { db in
            let sql = """
                SELECT directory, CASE WHEN json_type(files, '$.gguf') = 'text' THEN json_extract(files, '$.gguf') END AS gguf
                FROM students WHERE version = ? AND json_valid(files)
                """
            let paths = try db.fetchOne(sql, [version]) { row in (directory: try row.text("directory"), file: try row.optionalText("gguf")) }
            guard let paths, let file = paths.file else { return nil }
            return StudentVersion.path(of: file, in: paths.directory)
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

    /// A state record.
    public init(route: String, stateJSON: String, updatedAt: Double) {
        self.route = route
        self.stateJSON = stateJSON
        self.updatedAt = updatedAt
    }
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

    /// An event record.
    public init(id: Int, route: String, recordedAt: Double, eventJSON: String) {
        self.id = id
        self.route = route
        self.recordedAt = recordedAt
        self.eventJSON = eventJSON
    }

    /// Decodes a row selected as `id, route, recorded_at, event`.
    init(row: SQLiteRow) throws(SQLiteError) {
        id = try row.int("id")
        route = try row.text("route")
        recordedAt = try row.double("recorded_at")
        eventJSON = try row.text("event")
    }
}
