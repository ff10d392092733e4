import ChatAPI
import Testing

@Suite struct SSEParserTests {
    static let stream = "data: {\"a\":1}\n\n: comment\n\nevent: ping\ndata: x\ndata: y\n\r\ndata: é😀\r\n\r\ndata: [DONE]\n\n"

    @Test func parsesEventsWithMixedLineEndings() {
        var parser = SSEParser()
        let events = parser.feed(Array(Self.stream.utf8))
        #expect(events.map(\.data) == ["{\"a\":1}", "x\ny", "é😀", "[DONE]"])
        #expect(events[1].event == "ping")
    }

    @Test(arguments: 1...13)
    func sameEventsAtEveryChunkSize(_ size: Int) {
        var whole = SSEParser()
        let expected = whole.feed(Array(Self.stream.utf8))
        var parser = SSEParser()
        var events: [SSEEvent] = []
        let bytes = Array(Self.stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: size) {
            events += parser.feed(bytes[start..<min(start + size, bytes.count)])
        }
        #expect(events == expected)
    }

    @Test func finishReturnsUnterminatedEvent() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: partial".utf8)).isEmpty)
        #expect(parser.finish()?.data == "partial")
    }
}
