/// What ``MockTeacher`` answers to one request.
public indirect enum MockReply: Sendable {
    /// A complete response with `Content-Length` (content type `application/json` unless
    /// `headers` names one).
    case json(status: Int = 200, body: String, headers: [(String, String)] = [])
    /// A `text/event-stream` of `data:` events (payloads as given; add `"[DONE]"` yourself or
    /// use ``MockTeacher/streamEvents(id:model:content:chunks:toolCall:includeUsage:usage:choices:)``),
    /// written in pieces per `splitAt` with `delay` before each piece after the first.
    case stream(events: [String], splitAt: MockSplitMode = .whole, delay: Duration = .zero, framing: MockStreamFraming = .chunked)
    /// Sends these events (after a stream head), then nothing more until the client closes or
    /// the mock shuts down. With no events, not even the head goes out.
    case stall(afterEvents: [String])
    /// Sends a stream head and these events, then resets the connection (RST).
    case resetAfter(events: [String])
    /// An error status with a JSON body and an optional `Retry-After` header.
    case status(Int, retryAfter: String? = nil, body: String = MockTeacher.errorJSON(message: "mock error"))
    /// Reads the request, then closes the connection without answering.
    case closeWithoutReply
    /// These bytes exactly, whatever they are; the connection stays open.
    case raw([UInt8])
    /// Waits, then answers with the inner reply.
    case delayed(Duration, MockReply)
}

/// Where a streamed body is cut into separate writes.
public enum MockSplitMode: Sendable, Equatable {
    /// One write per event.
    case whole
    /// Writes of `n` bytes (the last may be shorter), ignoring event boundaries.
    case everyNBytes(Int)
    /// Writes of 1 to 24 bytes, from a seeded generator (the same seed cuts the same way).
    case randomBoundaries(seed: UInt64)
}

/// How a streamed body is delimited.
public enum MockStreamFraming: Sendable, Equatable {
    /// `Transfer-Encoding: chunked`, one chunk per write; the connection stays open.
    case chunked
    /// No length: the body ends when the mock closes the connection.
    case closeDelimited
}

extension MockSplitMode {
    /// Cuts `events`' wire bytes into writes.
    func pieces(of events: [String]) -> [[UInt8]] {
        switch self {
        case .whole:
            return events.map { MockTeacher.sseBytes([$0]) }
        case .everyNBytes(let size):
            return cut(MockTeacher.sseBytes(events)) { _ in max(size, 1) }
        case .randomBoundaries(let seed):
            var generator = SplitMix64(seed: seed)
            return cut(MockTeacher.sseBytes(events)) { _ in Int(generator.next() % 24) + 1 }
        }
    }

    private func cut(_ bytes: [UInt8], size: (Int) -> Int) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size(start))
            pieces.append(Array(bytes[start..<end]))
            start = end
        }
        return pieces
    }
}

/// A tiny seeded generator (SplitMix64) so cuts, and the fuzzers' cases, are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
