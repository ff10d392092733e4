import Teacher
import Testing
import TestSupport

@Suite("TeacherClient timeouts, resets and cancellation")
struct TeacherFailureTests {
    @Test("a teacher that never answers hits the first-byte timeout", arguments: TeacherConfiguration.Transport.tested)
    func firstByteTimeout(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stall(afterEvents: [])])
        let start = ContinuousClock.now
        await #expect(throws: TeacherError.timedOut(.firstByte)) {
            _ = try await makeClient(mock, transport: transport, firstByte: .milliseconds(300)).send(chatRequest())
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(3))
        #expect(mock.requests.count == 1)  // a timeout after sending is not retried
        #expect(await mock.wait { $0.connectionsClosedByClient == 1 })
    }

    @Test("a stream that stalls mid-way fails its iteration with the idle timeout", arguments: TeacherConfiguration.Transport.tested)
    func idleTimeout(transport: TeacherConfiguration.Transport) async throws {
        let events = MockTeacher.streamEvents(chunks: 2)
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stall(afterEvents: Array(events.prefix(2)))])
        let response = try await makeClient(mock, transport: transport, idle: .milliseconds(250)).send(chatRequest(stream: true))
        var received: [UInt8] = []
        let start = ContinuousClock.now
        await #expect(throws: TeacherError.timedOut(.idle)) {
            for try await chunk in response.body { received += chunk }
        }
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(received == MockTeacher.sseBytes(Array(events.prefix(2))))
    }

    @Test("the total timeout bounds a slow but steady stream", arguments: TeacherConfiguration.Transport.tested)
    func totalTimeout(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stream(events: MockTeacher.streamEvents(chunks: 20), delay: .milliseconds(50))])
        let response = try await makeClient(mock, transport: transport, idle: .seconds(1), total: .milliseconds(400)).send(chatRequest(stream: true))
        await #expect(throws: TeacherError.timedOut(.total)) {
            for try await _ in response.body {}
        }
    }

    @Test("a reset mid-stream fails the body after the bytes already delivered", arguments: TeacherConfiguration.Transport.tested)
    func resetMidStream(transport: TeacherConfiguration.Transport) async throws {
        let events = MockTeacher.streamEvents(chunks: 3)
        let sent = Array(events.prefix(3))
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.resetAfter(events: sent)])
        let response = try await makeClient(mock, transport: transport).send(chatRequest(stream: true))
        #expect(response.attempts == 1)
        var received: [UInt8] = []
        let error = await #expect(throws: TeacherError.self) {
            for try await chunk in response.body { received += chunk }
        }
        #expect(error.map { if case .transfer = $0 { true } else { false } } == true)
        #expect(received == MockTeacher.sseBytes(sent))
    }

    @Test("cancelling the consuming task aborts the upstream transfer", arguments: TeacherConfiguration.Transport.tested)
    func consumerCancellation(transport: TeacherConfiguration.Transport) async throws {
        let events = MockTeacher.streamEvents(chunks: 3)
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stall(afterEvents: Array(events.prefix(2)))])
        let response = try await makeClient(mock, transport: transport).send(chatRequest(stream: true))
        let consumer = Task {
            var received: [UInt8] = []
            do throws(TeacherError) {
                for try await chunk in response.body { received += chunk }
                return (received, TeacherError?.none)
            } catch {
                return (received, Optional(error))
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(mock.connectionsClosedByClient == 0)
        consumer.cancel()
        let (received, error) = await consumer.value
        #expect(error == .cancelled)
        #expect(received == MockTeacher.sseBytes(Array(events.prefix(2))))
        #expect(await mock.wait(timeout: .seconds(2)) { $0.connectionsClosedByClient == 1 })
    }

    @Test("body.cancel() and dropping the body both abort the transfer", arguments: TeacherConfiguration.Transport.tested)
    func explicitCancelAndDrop(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        let stall = MockReply.stall(afterEvents: ["{\"x\":1}"])
        mock.enqueue([stall, stall])
        let client = makeClient(mock, transport: transport)
        let first = try await client.send(chatRequest(stream: true))
        first.body.cancel()
        await #expect(throws: TeacherError.cancelled) { _ = try await first.body.collect(upTo: 1 << 20) }
        #expect(await mock.wait(timeout: .seconds(2)) { $0.connectionsClosedByClient == 1 })
        do {
            _ = try await client.send(chatRequest(stream: true))
        }
        #expect(await mock.wait(timeout: .seconds(2)) { $0.connectionsClosedByClient == 2 })
    }

    @Test("cancelling send while it waits for the head aborts the attempt", arguments: TeacherConfiguration.Transport.tested)
    func cancelBeforeHead(transport: TeacherConfiguration.Transport) async throws {
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stall(afterEvents: [])])
        let client = makeClient(mock, transport: transport)
        let sending = Task { () throws(TeacherError) -> TeacherResponse in try await client.send(chatRequest()) }
        #expect(await mock.wait { $0.requests.count == 1 })
        let start = ContinuousClock.now
        sending.cancel()
        let result = await sending.result
        #expect(throws: TeacherError.cancelled) { try result.get() }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(await mock.wait(timeout: .seconds(2)) { $0.connectionsClosedByClient == 1 })
    }
}
