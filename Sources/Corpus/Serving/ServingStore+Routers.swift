extension ServingStore {
    /// Stores the router learned for `version` on `route`, replacing an earlier one.
    public func saveRouter(version: String, route: String, routerJSON: String, at time: Double) throws {
        try reader.withDatabase { db in
            try db.prepare("INSERT OR REPLACE INTO routers (version, route, created_at, router) VALUES (?,?,?,?)")
                .run([version, route, time, routerJSON])
        }
    }

    /// The router stored for `version` on `route` (JSON), or nil.
    public func router(version: String, route: String) throws -> String? {
        try reader.withDatabase { db in
            try db.fetchOne("SELECT router FROM routers WHERE version = ? AND route = ?", [version, route]) { try $0.text("router") }
        }
    }
}
