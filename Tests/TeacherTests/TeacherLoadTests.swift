import Teacher
import Testing
import TestSupport

@Suite("TeacherClient under load and at teardown", .timeLimit(.minutes(1)))
struct TeacherLoadTests {
    @Test("a large body read by a slow consumer arrives intact (the transfer pauses for it)", arguments: TeacherConfiguration.Transport.tested)
    func slowConsumerLargeBody(transport: TeacherConfiguration.Transport) async throws {
        let events = (0..<400).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "x", count: 4000))\"}" }
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stream(events: events, splitAt: .everyNBytes(32_768))])
        let response = try await makeClient(mock, transport: transport).send(chatRequest(stream: true))
        var received: [UInt8] = []
        var count = 0
        for try await chunk in response.body {
            received += chunk
            count += 1
            if count % 16 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(received == MockTeacher.sseBytes(events))
    }

    @Test("a body larger than the pipe, available at once, still reaches the caller", arguments: TeacherConfiguration.Transport.tested)
    func largeCompleteBody(transport: TeacherConfiguration.Transport) async throws {
        let content = String(repeating: "0123456789abcdef", count: 200_000)  // 3.2 MB
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.json(body: MockTeacher.completionJSON(content: content))])
        let response = try await makeClient(mock, transport: transport).send(chatRequest())
        let body = try await response.body.collect(upTo: 8 << 20)
        #expect(body == Array(MockTeacher.completionJSON(content: content).utf8))
    }

    @Test("concurrent streams each arrive byte for byte", arguments: TeacherConfiguration.Transport.tested)
    func concurrentStreams(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher { request in
            let text = request.json.flatMap { ($0["messages"] as? [[String: Any]])?.first?["content"] as? String } ?? ""
            return .stream(events: MockTeacher.streamEvents(content: text, chunks: 5), splitAt: .randomBoundaries(seed: UInt64(text.count)))
        }
        defer { mock.shutdown() }
        let client = makeClient(mock, transport: transport)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let text = "request number \(index) " + String(repeating: "z", count: index)
                    let response = try await client.send(chatRequest(stream: true, text: text))
                    let body = try await response.body.collect(upTo: 1 << 20)
                    #expect(body == MockTeacher.sseBytes(MockTeacher.streamEvents(content: text, chunks: 5)))
                }
            }
            try await group.waitForAll()
        }
        #expect(mock.requests.count == 16)
        #expect(mock.acceptedConnections <= 16)
    }

    @Test("releasing the client closes its idle keep-alive connections", arguments: TeacherConfiguration.Transport.tested)
    func deinitClosesConnections(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        do {
            let client = makeClient(mock, transport: transport)
            let response = try await client.send(chatRequest())
            _ = try await response.body.collect(upTo: 1 << 20)
        }
        #expect(mock.acceptedConnections == 1)
        #expect(await mock.wait { $0.openConnections == 0 })
    }
}
