import Foundation
import Testing
import TestSupport

@testable import Teacher

/// Both transports' event loops (curl's one thread, and the caller's NIO loop): a cap on
/// transfers in flight, a paused body that still meets its total limit, and many transfers
/// at once.
@Suite("TeacherClient event loop", .timeLimit(.minutes(1)))
struct TeacherEventLoopTests {
    @Test("at its cap the client refuses another transfer at once, and takes one again when a slot frees", arguments: TeacherConfiguration.Transport.tested)
    func capOnTransfersInFlight(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher { _ in .delayed(.milliseconds(400), .json(body: MockTeacher.completionJSON(content: "late"))) }
        defer { mock.shutdown() }
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: mock.baseURL, retry: .never, maxConcurrentTransfers: 2, transport: transport))
        let running = ["one", "two"].map { text in
            Task { try await client.send(chatRequest(text: text)).body.collect(upTo: 1 << 20) }
        }
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: TeacherError.overloaded(limit: 2)) { try await client.send(chatRequest(text: "three")) }
        for task in running { _ = try await task.value }
        #expect(try await client.send(chatRequest(text: "four")).status == 200)
    }

    @Test("a body nobody reads stops being read: what waits in memory stays near the pipe's capacity",
          arguments: TeacherConfiguration.Transport.tested)
    func unreadBodyIsBounded(transport: TeacherConfiguration.Transport) async throws {
        let events = (0..<4000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "p", count: 2000))\"}" }
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stream(events: events)])  // 8 MB
        let response = try await makeClient(mock, transport: transport).send(chatRequest(stream: true))
        try await Task.sleep(for: .milliseconds(500))  // read nothing meanwhile
        // 256 KiB of pipe, plus what one read from the socket delivered after it filled.
        #expect(response.body.queuedBytes >= 200_000 && response.body.queuedBytes < 512 * 1024)
        let all = try await response.body.collect(upTo: 1 << 30)  // and then it all arrives
        #expect(all == MockTeacher.sseBytes(events))
    }

    @Test("a body nobody reads is paused, and its total limit still ends it", arguments: TeacherConfiguration.Transport.tested)
    func pausedBodyMeetsItsTotalLimit(transport: TeacherConfiguration.Transport) async throws {
        let events = (0..<2000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "p", count: 2000))\"}" }
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stream(events: events)])
        let response = try await makeClient(mock, transport: transport, idle: .milliseconds(200), total: .milliseconds(600)).send(chatRequest(stream: true))
        try await Task.sleep(for: .milliseconds(900))  // read nothing past the total limit
        // Not the idle limit: the pause was the consumer's, not the upstream's.
        await #expect(throws: TeacherError.timedOut(.total)) { _ = try await response.body.collect(upTo: 1 << 30) }
    }

    @Test("a hundred concurrent transfers all complete on the one loop", arguments: TeacherConfiguration.Transport.tested)
    func manyConcurrentTransfers(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher { _ in .json(body: MockTeacher.completionJSON(content: "ok")) }
        defer { mock.shutdown() }
        let client = makeClient(mock, transport: transport)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask {
                    let response = try await client.send(chatRequest(text: "n\(index)"))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return response.status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 })
    }

    @Test("a transfer handed to a loop that has gone to sleep wakes it at once", arguments: TeacherConfiguration.Transport.tested)
    func submissionsWakeASleepingLoop(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher { _ in .json(body: MockTeacher.completionJSON(content: "ok")) }
        defer { mock.shutdown() }
        let client = makeClient(mock, transport: transport)
        for index in 0..<8 {
            try await Task.sleep(for: .milliseconds(30))  // the loop is idle in curl_multi_poll
            let started = ContinuousClock.now
            _ = try await client.send(chatRequest(text: "n\(index)")).body.collect(upTo: 1 << 20)
            // A missed wake leaves the transfer waiting for the poll's one-second timeout.
            #expect(ContinuousClock.now - started < .milliseconds(500), "request \(index)")
        }
    }

    @Test("a paused body the reader comes back to resumes at once, however often it pauses", arguments: TeacherConfiguration.Transport.tested)
    func resumesWakeASleepingLoop(transport: TeacherConfiguration.Transport) async throws {
        let events = (0..<400).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "p", count: 4000))\"}" }
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stream(events: events)])
        let response = try await makeClient(mock, transport: transport).send(chatRequest(stream: true))
        try await Task.sleep(for: .milliseconds(200))  // the body pauses; the loop sleeps
        let started = ContinuousClock.now
        let bytes = try await response.body.collect(upTo: 1 << 30)
        #expect(bytes.count > 400 * 4000)
        // Each resume that failed to wake the loop would wait out a one-second poll.
        #expect(ContinuousClock.now - started < .seconds(3))
    }
}
