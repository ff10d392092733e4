import Teacher
import Testing
import TestSupport

@Suite("TeacherClient streaming")
struct TeacherStreamingTests {
    @Test("streamed bytes pass through exactly, whatever the split", arguments: [
        MockSplitMode.whole, .everyNBytes(7), .randomBoundaries(seed: 1), .randomBoundaries(seed: 42),
    ])
    func passThrough(split: MockSplitMode) async throws {
        let events = MockTeacher.streamEvents(content: "The quick brown fox jumps over the lazy dog.", chunks: 9, includeUsage: true)
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stream(events: events, splitAt: split)])
        let response = try await makeClient(mock).send(chatRequest(stream: true))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/event-stream")
        var received: [UInt8] = []
        for try await chunk in response.body {
            #expect(!chunk.isEmpty)
            received += chunk
        }
        #expect(received == MockTeacher.sseBytes(events))
    }

    @Test("a close-delimited stream ends cleanly", arguments: TeacherConfiguration.Transport.tested)
    func closeDelimited(transport: TeacherConfiguration.Transport) async throws {
        let events = MockTeacher.streamEvents(chunks: 4)
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        mock.enqueue([.stream(events: events, splitAt: .everyNBytes(50), framing: .closeDelimited)])
        let response = try await makeClient(mock, transport: transport).send(chatRequest(stream: true))
        #expect(try await response.body.collect(upTo: 1 << 20) == MockTeacher.sseBytes(events))
    }

    @Test("chunks arrive as they are sent, not at the end of the stream", arguments: TeacherConfiguration.Transport.tested)
    func incremental(transport: TeacherConfiguration.Transport) async throws {
        let events = MockTeacher.streamEvents(chunks: 3)
        let mock = try MockTeacher()
        defer { mock.shutdown() }
        // The mock sends the first event, then nothing: only incremental delivery sees it
        // before the idle timeout fails the body.
        mock.enqueue([.stall(afterEvents: [events[0]])])
        let response = try await makeClient(mock, transport: transport, idle: .seconds(3)).send(chatRequest(stream: true))
        var iterator = response.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first == MockTeacher.sseBytes([events[0]]))
        response.body.cancel()
    }
}
