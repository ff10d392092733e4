import ChatAPI
import Corpus
import Foundation
import HTTPTypes
import Hummingbird

/// How one request's answer goes back in the API its client speaks.
///
/// The gateway works in chat completions: the request was translated to that form on
/// the way in, and the student, the corpus and a chat teacher all answer in it. This
/// value writes such an answer in the client's surface: a whole object, an event
/// stream, or an error in the surface's shape. For `chat` it changes nothing.
struct ClientSurface: Sendable {
    /// The API the client speaks.
    let surface: APISurface
    /// The client's request as it sent it.
    let request: JSONValue
    /// The exchange the answer belongs to.
    let exchangeID: String
    /// Unix seconds, for the answer object.
    let createdAt: Int

    /// The surface for an exchange with `exchangeID`; object ids derive from it, so the
    /// logged answer and the one sent carry the same id.
    init(surface: APISurface, request: JSONValue, exchangeID: String, createdAt: Int) {
        self.surface = surface
        self.request = request
        self.exchangeID = exchangeID
        self.createdAt = createdAt
    }

    /// The id of the answer object in the client's surface (`resp_…`, `msg_…`); unused
    /// for chat, so made only when asked for.
    var objectID: String { (surface == .messages ? "msg_" : "resp_") + ExchangeID.compact(exchangeID) }

    /// The exchange id a Responses object id stands for (`resp_<32 hex>`), for
    /// `previous_response_id`.
    static func exchangeID(responseID: String) -> String? {
        guard responseID.hasPrefix("resp_") else { return nil }
        let hex = Array(responseID.dropFirst(5))
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        let text = String(hex)
        let cuts = [8, 12, 16, 20]
        var parts: [Substring] = []
        var start = text.startIndex
        for cut in cuts + [32] {
            let end = text.index(text.startIndex, offsetBy: cut)
            parts.append(text[start..<end])
            start = end
        }
        return parts.joined(separator: "-")
    }

    /// The answer object for a `chat.completion`.
    func object(_ completion: JSONValue) -> JSONValue {
        let parts = CompletionParts(completion: completion)
        switch surface {
        case .chat: return completion
        case .responses: return ResponsesObject.json(parts, id: objectID, createdAt: createdAt, request: request)
        case .messages: return MessagesObject.json(parts, id: objectID, model: request["model"]?.stringValue ?? "")
        }
    }

    /// An error body in the surface's shape (Responses errors look like chat ones).
    func errorJSON(_ error: OpenAIError) -> JSONValue {
        surface == .messages ? error.anthropicJSON : error.json
    }

    /// What the log keeps as the raw answer: the object the client got, or the error body.
    func rawResponse(status: Int, chatResponse: String?) -> String? {
        guard surface != .chat, let chatResponse, let json = try? JSONValue.parse(chatResponse) else { return nil }
        if status == 200 || json["choices"] != nil { return object(json).jsonString }
        return errorJSON(OpenAIError(status: status, body: json)).jsonString
    }

    /// An error as the final event of a stream in `surface`'s form.
    static func errorEvent(_ error: OpenAIError, surface: APISurface) -> [UInt8] {
        let item = ChatStreamItem.error(error.json["error"] ?? .null)
        switch surface {
        case .chat: return item.sseBytes
        case .responses:
            var encoder = ResponsesStreamEncoder(id: "", createdAt: 0, request: .object([]))
            return encoder.encode(item)
        case .messages:
            var encoder = MessagesStreamEncoder(id: "", model: "")
            return encoder.encode(item)
        }
    }

    /// A stream encoder from chat events to the surface's events.
    func streamEncoder() -> (any SurfaceStreamEncoder)? {
        switch surface {
        case .chat: return nil
        case .responses: return ResponsesStreamEncoder(id: objectID, createdAt: createdAt, request: request)
        case .messages: return MessagesStreamEncoder(id: objectID, model: request["model"]?.stringValue ?? "")
        }
    }

    /// `response`, a chat-completions answer (whole, streamed, or an error), rewritten in
    /// the client's surface. Headers are kept; a whole body is rewritten once read.
    func adapt(_ response: Response) async -> Response {
        guard surface != .chat else { return response }
        var response = response
        if response.status == .ok, response.headers[.contentType]?.hasPrefix("text/event-stream") == true,
           let encoder = streamEncoder() {
            let body = response.body
            response.body = ResponseBody { writer in
                try await body.write(TranslatingBodyWriter(inner: writer, encoder: encoder))
            }
            return response
        }
        let collector = CollectingBodyWriter()
        try? await response.body.write(collector)
        let bytes = collector.sink.bytes
        let json = try? JSONValue.parse(bytes)
        let rewritten: JSONValue?
        if response.status == .ok, let json, json["choices"] != nil {
            rewritten = object(json)
        } else if response.status.code >= 400 {
            rewritten = errorJSON(OpenAIError(status: Int(response.status.code), body: json))
        } else {
            rewritten = nil
        }
        response.headers[.contentLength] = nil
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: rewritten?.serialized() ?? bytes))
        return response
    }
}

/// Feeds a chat-completions SSE body through a ``SurfaceStreamEncoder`` on its way to
/// the client; whatever the relay writes (chunks, the held-back `[DONE]`, an error
/// event) is parsed as it comes and written out in the client's surface.
struct TranslatingBodyWriter: ResponseBodyWriter {
    var inner: any ResponseBodyWriter
    var encoder: any SurfaceStreamEncoder
    var parser = SSEParser()

    init(inner: any ResponseBodyWriter, encoder: any SurfaceStreamEncoder) {
        self.inner = inner
        self.encoder = encoder
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        var out: [UInt8] = []
        for event in parser.feed(buffer.readableBytesView) {
            if let item = ChatStreamItem(event: event) { out += encoder.encode(item) }
        }
        if !out.isEmpty { try await inner.write(ByteBuffer(bytes: out)) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        var out: [UInt8] = []
        if let last = parser.finish(), let item = ChatStreamItem(event: last) { out += encoder.encode(item) }
        if !out.isEmpty { try await inner.write(ByteBuffer(bytes: out)) }
        try await inner.finish(trailingHeaders)
    }
}

/// Gathers a whole response body into ``sink`` (a reference: the body consumes its writer).
struct CollectingBodyWriter: ResponseBodyWriter {
    final class Sink: @unchecked Sendable {
        // @unchecked: written by the one body write, read after it returned.
        var bytes: [UInt8] = []
    }

    let sink = Sink()

    mutating func write(_ buffer: ByteBuffer) async throws {
        sink.bytes += buffer.readableBytesView
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
