import ChatAPI
import HTTPTypes
import Hummingbird
import Teacher

/// Relays a teacher's SSE stream to the client byte for byte, flushing as bytes
/// arrive, while a copy is parsed to rebuild the completion for the log.
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
        var outcome: (status: Int, error: String?) = (200, nil)
        do {
            for try await chunk in upstream.body {
                exchange.markFirstByte()
                for event in parser.feed(chunk) { accumulator.consume(event) }
                do {
                    try await writer.write(ByteBuffer(bytes: chunk))
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
        finish(accumulator, outcome: outcome)
        if outcome.status != 499 { try? await writer.finish(nil) }
    }

    func finish(_ accumulator: StreamAccumulator, outcome: (status: Int, error: String?)) {
        let completion = accumulator.completion()
        var error = outcome.error
        if let streamError = accumulator.streamError, error == nil {
            error = streamError["message"]?.stringValue ?? "error event in stream"
        }
        exchange.update { $0.apply(completion: completion) }
        exchange.complete(status: outcome.status, error: error, response: completion.jsonString)
    }
}
