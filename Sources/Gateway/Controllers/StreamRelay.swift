import ChatAPI
import HTTPTypes
import Hummingbird
import Teacher

/// Relays a teacher's SSE stream to the client byte for byte, flushing as bytes
/// arrive, while a copy is parsed to rebuild the completion for the log.
///
/// The stream's closing `data: [DONE]` (and anything after it) is held back until the
/// exchange is committed, so a client that saw the end of the stream can rely on the
/// exchange being logged; if it cannot be, the stream ends with an error event instead.
///
/// A client write that fails means the client went away: the upstream transfer is
/// cancelled and the exchange is logged with its partial output as 499. An upstream
/// failure mid-stream is reported to the client as a final SSE `error` event (it
/// cannot become an HTTP status any more) and logged as 502/504.
struct StreamRelay: Sendable {
    let exchange: PendingExchange
    let upstream: TeacherResponse

    func response(headers: HTTPFields) -> Response {
        Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await relay(into: &writer)
        })
    }

    func relay(into writer: inout any ResponseBodyWriter) async throws {
        var parser = SSEParser()
        var accumulator = StreamAccumulator()
        var terminal = TerminalEventHoldback()
        var outcome: (status: Int, error: String?) = (200, nil)
        do {
            for try await chunk in upstream.body {
                exchange.markFirstByte()
                for event in parser.feed(chunk) { accumulator.consume(event) }
                let forward = terminal.feed(chunk)
                guard !forward.isEmpty else { continue }
                do {
                    try await writer.write(ByteBuffer(bytes: forward))
                } catch {
                    upstream.body.cancel()
                    outcome = (499, "client disconnected mid-stream")
                    break
                }
            }
        } catch {
            let failure = OpenAIError(teacherError: error)
            outcome = (failure.status, failure.message)
            if failure.status != 499 {
                let event = "data: \(failure.json.jsonString)\n\n"
                try? await writer.write(ByteBuffer(string: event))
            }
        }
        exchange.endUpstream()
        if let last = parser.finish() { accumulator.consume(last) }
        let committed = await finish(accumulator, outcome: outcome)
        guard outcome.status != 499 else { return }
        if !committed {
            try? await writer.write(ByteBuffer(string: "data: \(OpenAIError.logUnavailable().json.jsonString)\n\n"))
        } else if !terminal.held.isEmpty {
            try? await writer.write(ByteBuffer(bytes: terminal.held))
        }
        try? await writer.finish(nil)
    }

    func finish(_ accumulator: StreamAccumulator, outcome: (status: Int, error: String?)) async -> Bool {
        let completion = accumulator.completion()
        var error = outcome.error
        if let streamError = accumulator.streamError, error == nil {
            error = streamError["message"]?.stringValue ?? "error event in stream"
        }
        exchange.update { $0.apply(completion: completion) }
        return await exchange.complete(status: outcome.status, error: error, response: completion.jsonString)
    }
}

/// Splits a relayed SSE byte stream at its terminal `data: [DONE]` line: everything
/// before it is forwarded as it arrives; the line and whatever follows is ``held``.
/// A chunk that ends in what may be the start of that line keeps those few bytes back
/// until the next chunk tells.
struct TerminalEventHoldback {
    /// Bytes not forwarded: the terminal event and after, or a possible start of it.
    private(set) var held: [UInt8] = []
    private var found = false
    /// Whether the last forwarded byte ended a line (true before the first).
    private var atLineStart = true
    private static let marker = Array("data: [DONE]".utf8)

    /// The bytes of `chunk` (after any held before it) that can go to the client now.
    mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        guard !found else {
            held += chunk
            return []
        }
        let bytes = held.isEmpty ? chunk : held + chunk
        held = []
        var lineStart = atLineStart
        for index in bytes.indices {
            if lineStart {
                let rest = bytes.count - index
                if rest >= Self.marker.count {
                    if bytes[index..<index + Self.marker.count].elementsEqual(Self.marker) { return split(bytes, at: index, found: true) }
                } else if bytes[index...].elementsEqual(Self.marker[..<rest]) {
                    return split(bytes, at: index, found: false)
                }
            }
            lineStart = bytes[index] == UInt8(ascii: "\n") || bytes[index] == UInt8(ascii: "\r")
        }
        atLineStart = lineStart
        return bytes
    }

    private mutating func split(_ bytes: [UInt8], at index: Int, found: Bool) -> [UInt8] {
        self.found = found
        held = Array(bytes[index...])
        if index > 0 { atLineStart = true }  // the byte before `index` ended a line
        return Array(bytes[..<index])
    }
}
