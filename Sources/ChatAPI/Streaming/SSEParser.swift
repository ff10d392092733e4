/// An incremental server-sent-events parser.
///
/// Feed it bytes exactly as they arrive; chunk boundaries may fall anywhere,
/// including inside a UTF-8 sequence or between the CR and LF of a line ending.
/// It is a value type with no I/O, so a copy of a stream can be parsed for the log
/// while the original bytes are forwarded untouched.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var dataLines: [String] = []
    private var hasData = false
    private var eventName: String?
    private var eventID: String?
    private var eventBytes = 0

    /// Most bytes one event may hold (its lines together, a line without its end too).
    /// Past it the parser stops collecting and sets ``overflowed``: a hostile or broken
    /// upstream cannot grow the parser's memory without bound.
    public let maximumEventBytes: Int
    /// Whether an event went past ``maximumEventBytes``; what followed was not parsed.
    public private(set) var overflowed = false

    /// Creates a parser at the start of a stream.
    public init(maximumEventBytes: Int = 4 << 20) {
        self.maximumEventBytes = maximumEventBytes
    }

    /// Consumes `bytes` and returns every event they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        guard !overflowed else { return events }
        for byte in bytes {
            if byte == 0x0A, lastWasCR {  // LF of a CRLF pair already handled at the CR
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else if eventBytes + line.count < maximumEventBytes {
                line.append(byte)
            } else {
                overflowed = true
                return events
            }
        }
        return events
    }

    /// Signals end of stream. Per the spec an event without its terminating blank
    /// line is discarded, but a stream cut mid-way still holds useful data, so a
    /// pending complete `data:` line is returned as a final event.
    public mutating func finish() -> SSEEvent? {
        guard !overflowed else { return nil }
        if !line.isEmpty { _ = endLine() }
        return dispatch()
    }

    private mutating func endLine() -> SSEEvent? {
        defer {
            eventBytes += line.count + 1
            line.removeAll(keepingCapacity: true)
        }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }  // comment
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch field {
        case "data":
            dataLines.append(value)
            hasData = true
        case "event": eventName = value
        case "id": eventID = value
        default: break  // "retry" and unknown fields are ignored
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventBytes = 0
            dataLines.removeAll()
            hasData = false
            eventName = nil
        }
        guard hasData else { return nil }
        return SSEEvent(event: eventName, data: dataLines.joined(separator: "\n"), id: eventID)
    }
}
