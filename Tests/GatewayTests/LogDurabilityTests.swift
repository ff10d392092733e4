import ChatAPI
import Corpus
import Foundation
import Gateway
import Teacher
import TestSupport
import Testing

/// No answer is acknowledged before its exchange is committed: on a full disk the client
/// gets a 503 (a stream ends with an error event instead of `[DONE]`), `/healthz` says the
/// log is failing, new requests are refused before the teacher is paid, and once space is
/// freed the held exchanges are written and the gateway answers again.
@Suite struct LogDurabilityTests {
    /// Fills the database to the page limit SQLite is allowed, with ballast to free later.
    static func fillTheDisk(_ db: SQLiteDatabase) throws {
        try db.execute("CREATE TABLE ballast(b BLOB); INSERT INTO ballast VALUES (zeroblob(400000)); PRAGMA wal_checkpoint(TRUNCATE);")
        let pages = try db.query("PRAGMA page_count").first?.first?.int ?? 0
        try db.execute("PRAGMA max_page_count = \(pages)")
    }

    @Test func aFullDiskIsNeverAcknowledged() async throws {
        let big = String(repeating: "lorem ipsum ", count: 2000)
        let harness = try GatewayHarness(prepareLog: Self.fillTheDisk)
        try await harness.run { _, gateway in
            // A stream: the teacher's chunks go out, the closing [DONE] does not.
            let stream = try await gateway.post(chatBody(stream: true, text: big))
            let streamed = String(decoding: try await stream.body.collect(upTo: 1 << 20), as: UTF8.self)
            #expect(stream.status == 200)
            #expect(streamed.contains("chat.completion.chunk") && !streamed.contains("[DONE]"))
            #expect(streamed.contains(#""code":"log_unavailable""#))

            // The log now fails: a new request is refused before the teacher sees it.
            let refused = try await gateway.post(chatBody(text: "second"))
            #expect(refused.status == 503)
            #expect(String(decoding: try await refused.body.collect(upTo: 1 << 16), as: UTF8.self).contains("log_unavailable"))
            #expect(harness.mock.requests.count == 1)
            let health = try await Self.get(gateway, "/healthz")
            #expect(health.status == 503 && health.json["log"]?["status"]?.stringValue == "failing")
            #expect(health.json["log"]?["held"]?.intValue == 1)

            // Space is freed: the held exchange is written, and the gateway answers again.
            try SQLiteDatabase(path: harness.databasePath).execute("DELETE FROM ballast")
            for _ in 0..<300 where harness.services.log.heldCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(try await Self.get(gateway, "/healthz").status == 200)
            let answered = try await gateway.post(chatBody(text: "third"))
            #expect(answered.status == 200)
            _ = try await answered.body.collect(upTo: 1 << 20)
        }
        let rows = try harness.rows()
        #expect(rows.count == 2)
        #expect(rows.first?.stream == true && rows.first?.status == 200)
    }

    static func get(_ gateway: GatewayClient, _ path: String) async throws -> (status: Int, json: JSONValue) {
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: "http://127.0.0.1:\(gateway.port)", retry: .never))
        let response = try await client.send(TeacherRequest(method: "GET", path: path))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (response.status, (try? JSONValue.parse(bytes)) ?? .null)
    }
}
