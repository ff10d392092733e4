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
/// A client write that fails (or that the client does not take within the write
/// timeout) means the client went away: the upstream transfer is cancelled and the
/// exchange is logged with its partial output as 499. An upstream failure mid-stream,
/// a stream past `maxBytes` or an event past `maxEventBytes` is reported to the client
/// as a final SSE `error` event (it cannot become an HTTP status any more) and logged as
/// 502/504 with what arrived before it.
struct StreamRelay: Sendable {
    let exchange: PendingExchange
    let upstream: TeacherResponse
    let connection: ClientConnection
    /// Most bytes relayed from the teacher.
    let maxBytes: Int
    /// Most bytes of one SSE event.
    let maxEventBytes: Int
    /// Reads a teacher stream that is not in chat form (a Responses or Messages teacher)
    /// into chat items for the log; nil for a chat stream.
    var decoder: (any SurfaceStreamDecoder)? = nil
    /// Whether the client gets the decoded chat stream instead of the teacher's bytes.
    var forwardDecoded = false
    /// The surface of the bytes the client gets, for error events in its shape.
    var clientSurface = APISurface.chat
    /// The teacher's log-probabilities to keep (a chat stream; nil: none asked for). When the
    /// client did not ask for them, each chunk is forwarded re-encoded without them.
    var logprobs: LogprobCapture? = nil

    func response(headers: HTTPFields) -> Response {
        Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await relay(into: &writer)
        })
    }

    func relay(into writer: inout any ResponseBodyWriter) async throws {
        var parser = SSEParser(maximumEventBytes: maxEventBytes)
        var accumulator = StreamAccumulator()
        var decoder = self.decoder
        var terminal = TerminalEventHoldback(markers: decoder == nil || forwardDecoded ? TerminalEventHoldback.chatMarkers
                                                                                        : TerminalEventHoldback.surfaceMarkers)
        var outcome: (status: Int, error: String?) = (200, nil)
        var received = 0
        do {
            for try await chunk in upstream.body {
                exchange.markFirstByte()
                received += chunk.count
                let decoded = read(parser.feed(chunk), decoder: &decoder, into: &accumulator)
                if let limit = exceededLimit(received: received, parser: parser) {
                    upstream.body.cancel()
                    let failure = OpenAIError.upstreamUnavailable(limit)
                    outcome = (failure.status, failure.message)
                    await sendErrorEvent(failure, to: &writer)
                    break
                }
                let forward = terminal.feed(forwardsDecoded ? decoded : chunk)
                guard !forward.isEmpty else { continue }
                do {
                    try await connection.write(ByteBuffer(bytes: forward), to: &writer)
                } catch {
                    upstream.body.cancel()
                    outcome = (499, "client disconnected mid-stream")
                    break
                }
            }
        } catch {
            let failure = OpenAIError(teacherError: error)
            outcome = (failure.status, failure.message)
            if failure.status != 499 { await sendErrorEvent(failure, to: &writer) }
        }
        exchange.endUpstream()
        if let last = parser.finish() {
            // A last event without its blank line: a translated stream still forwards it.
            let decoded = read([last], decoder: &decoder, into: &accumulator)
            let forward = terminal.feed(decoded)
            if outcome.status == 200, !forward.isEmpty { try? await connection.write(ByteBuffer(bytes: forward), to: &writer) }
        }
        let committed = await finish(accumulator, outcome: outcome)
        guard outcome.status != 499 else { return }
        if !committed {
            await sendErrorEvent(.logUnavailable(), to: &writer)
        } else if outcome.status == 200 && !terminal.held.isEmpty {
            try? await connection.write(ByteBuffer(bytes: terminal.held), to: &writer)
        }
        try? await writer.finish(nil)
    }

    /// Whether the client gets bytes re-encoded from the parsed events (a translated stream,
    /// or a chat stream whose log-probabilities are stripped) rather than the teacher's own.
    private var forwardsDecoded: Bool { forwardDecoded || logprobs?.strip == true }

    /// Feeds `events` to the log's accumulator (through `decoder` when the teacher's stream
    /// is not in chat form) and returns the chat bytes to forward when ``forwardsDecoded``.
    private func read(_ events: [SSEEvent], decoder: inout (any SurfaceStreamDecoder)?,
                      into accumulator: inout StreamAccumulator) -> [UInt8] {
        var decoded: [UInt8] = []
        for event in events {
            guard decoder != nil else {
                accumulator.consume(event)
                if let logprobs, logprobs.strip { decoded += logprobs.clientEvent(event) }
                continue
            }
            for item in decoder!.decode(event) {
                accumulator.consume(item)
                if forwardDecoded { decoded += item.sseBytes }
            }
        }
        return decoded
    }

    /// Ends what the client sees of the stream with `error` as a `data:` event (it can no
    /// longer become an HTTP status); a client that is gone is not written to.
    private func sendErrorEvent(_ error: OpenAIError, to writer: inout any ResponseBodyWriter) async {
        try? await connection.write(ByteBuffer(bytes: ClientSurface.errorEvent(error, surface: clientSurface)), to: &writer)
    }

    /// Why the stream must be cut, once it is too long or holds too long an event.
    private func exceededLimit(received: Int, parser: SSEParser) -> String? {
        if received > maxBytes { return "the teacher's stream exceeded max_stream_bytes (\(maxBytes) bytes)" }
        if parser.overflowed { return "an event of the teacher's stream exceeded max_sse_event_bytes (\(maxEventBytes) bytes)" }
        return nil
    }

    func finish(_ accumulator: StreamAccumulator, outcome: (status: Int, error: String?)) async -> Bool {
        var completion = accumulator.completion()
        if let logprobs { completion = logprobs.take(completion, into: exchange) }
        var error = outcome.error
        if let streamError = accumulator.streamError, error == nil {
            error = streamError["message"]?.stringValue ?? "error event in stream"
        }
        exchange.update { $0.apply(completion: completion) }
        return await exchange.complete(status: outcome.status, error: error, response: completion.jsonString)
    }
}

/// Splits a relayed SSE byte stream at its terminal event (`data: [DONE]` for chat, the
/// closing `response.*` or `message_stop` event for the other surfaces): everything
/// before it is forwarded as it arrives; the event and whatever follows is ``held``.
/// A chunk that ends in what may be the start of that line keeps those few bytes back
/// until the next chunk tells.
struct TerminalEventHoldback {
    /// Bytes not forwarded: the terminal event and after, or a possible start of it.
    private(set) var held: [UInt8] = []
    private var found = false
    /// Whether the last forwarded byte ended a line (true before the first).
    private var atLineStart = true
    /// Lines that begin the terminal event.
    private let markers: [[UInt8]]
    /// The chat stream's terminal line.
    static let chatMarkers = [Array("data: [DONE]".utf8)]
    /// The terminal events of a Responses or Messages stream.
    static let surfaceMarkers = ["event: response.completed", "event: response.incomplete", "event: response.failed", "event: message_stop"]
        .map { Array($0.utf8) }

    /// Holds back from the first line that starts with one of `markers`.
    init(markers: [[UInt8]] = chatMarkers) {
        self.markers = markers
    }

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
                for marker in markers {
                    if rest >= marker.count {
                        if bytes[index..<index + marker.count].elementsEqual(marker) { return split(bytes, at: index, found: true) }
                    } else if bytes[index...].elementsEqual(marker[..<rest]) {
                        return split(bytes, at: index, found: false)
                    }
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
