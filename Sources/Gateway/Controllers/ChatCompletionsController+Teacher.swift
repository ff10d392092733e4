import ChatAPI
import Distill
import Foundation
import HTTPTypes
import Hummingbird
import Teacher

extension ChatCompletionsController {
    /// Sends the request to the teacher and relays its answer.
    ///
    /// A teacher that speaks the client's surface gets the client's body (the model name
    /// mapped) and its answer goes back byte for byte; a copy is read into chat form for
    /// the log. Otherwise the chat form is written in the teacher's API, and its answer
    /// is read back into chat form and then written in the client's surface.
    func askTeacher(_ ingress: Ingress, route: RouteConfiguration, exchange: PendingExchange, client: ClientSurface,
                    headers: HTTPFields, connection: ClientConnection) async -> Response {
        guard let teacher = services.teacher else { return await client.adapt(fail(exchange, .internalError("no teacher"))) }
        let api = services.configuration.teacher.api
        let passthrough = api == ingress.surface
        let capture = LogprobCapture(alternatives: services.configuration.teacher.captureLogprobs, teacherAPI: api,
                                     clientAsked: ingress.chat.logprobs)
        let upstream = TeacherRequest(path: api.path,
                                      headers: teacherHeaders(api: api, stream: ingress.chat.stream, client: headers),
                                      body: upstreamBody(ingress, api: api, route: route))
        let response: TeacherResponse
        exchange.beginUpstream()
        do {
            // The request's log fields are computed while the teacher is already at work.
            response = try await teacher.send(upstream, whileWaiting: exchange.fillPrompt)
        } catch {
            return await client.adapt(fail(exchange, OpenAIError(teacherError: error)))
        }
        exchange.update { $0.attempts = response.attempts }
        exchange.setOnAbandon { response.body.cancel() }
        let answer: Response
        if ingress.chat.stream && response.status == 200 && response.isEventStream {
            let relay = StreamRelay(exchange: exchange, upstream: response, connection: connection,
                                    maxBytes: services.configuration.maxStreamBytes, maxEventBytes: services.configuration.maxSSEEventBytes,
                                    decoder: Self.streamDecoder(api, created: client.createdAt), forwardDecoded: !passthrough && api != .chat,
                                    clientSurface: passthrough ? api : .chat, logprobs: capture)
            answer = relay.response(headers: forwardedHeaders(response, exchange: exchange))
        } else {
            // A client that asked for a stream gets one even from a teacher that answered whole.
            answer = await relayWhole(response, api: api, passthrough: passthrough, exchange: exchange, client: client,
                                      capture: capture, clientStreams: ingress.chat.stream,
                                      streamUsage: ingress.chat.includeUsage || ingress.surface != .chat)
        }
        return passthrough ? answer : await client.adapt(answer)
    }

    /// The body for a teacher that speaks `api`.
    func upstreamBody(_ ingress: Ingress, api: APISurface, route: RouteConfiguration) -> [UInt8] {
        if api == .chat {
            return upstreamChatBody(ingress.chat, original: ingress.chatBody, route: route)
        }
        if api == ingress.surface, let raw = ingress.raw, let rawBody = ingress.rawBody {
            return route.teacherModel == ingress.chat.model ? rawBody : raw.setting("model", to: .string(route.teacherModel)).serialized()
        }
        let chat = ingress.chat.json.setting("model", to: .string(route.teacherModel))
        return (api == .messages ? MessagesRequest.fromChat(chat) : ResponsesRequest.fromChat(chat)).serialized()
    }

    /// Request headers for the teacher: content negotiation, and for Anthropic the API
    /// version (the client's, if it sent one) and any beta flags it asked for.
    func teacherHeaders(api: APISurface, stream: Bool, client: HTTPFields) -> [(String, String)] {
        var headers = [("Content-Type", "application/json"), ("Accept", stream ? "text/event-stream" : "application/json")]
        if api == .messages {
            headers.append(("anthropic-version", client[HTTPField.Name("anthropic-version")!] ?? "2023-06-01"))
            if let beta = client[HTTPField.Name("anthropic-beta")!] { headers.append(("anthropic-beta", beta)) }
        }
        return headers
    }

    /// Reads a teacher's event stream into chat items, for the log or for translation;
    /// nil for a chat teacher, whose stream is already in chat form.
    static func streamDecoder(_ api: APISurface, created: Int) -> (any SurfaceStreamDecoder)? {
        switch api {
        case .chat: return nil
        case .responses: return ResponsesStreamDecoder()
        case .messages: return MessagesStreamDecoder(created: created)
        }
    }

    /// A whole answer (or any error status): read it, log it in chat form, and forward
    /// it: as is when the client speaks the teacher's API, else in chat form (the
    /// caller writes it in the client's surface). The gateway's own errors are in the
    /// client's surface either way.
    ///
    /// When the client asked for a stream (`clientStreams`), a successful completion that
    /// goes back in chat form is sent as a chat-completions stream of its parts
    /// (``CompletionParts/streamItems(includeUsage:)``, the usage included when
    /// `streamUsage`), which the caller translates for another surface like any stream: a
    /// teacher that ignores `stream` would otherwise leave a streaming client (the OpenAI
    /// SDK's) reading nothing.
    func relayWhole(_ response: TeacherResponse, api: APISurface, passthrough: Bool, exchange: PendingExchange,
                    client: ClientSurface, capture: LogprobCapture? = nil,
                    clientStreams: Bool = false, streamUsage: Bool = false) async -> Response {
        func failure(_ answer: Response) async -> Response { passthrough ? await client.adapt(answer) : answer }
        let bytes: [UInt8]
        do {
            bytes = try await response.body.collect(upTo: services.configuration.maxResponseBytes)
        } catch {
            return await failure(fail(exchange, OpenAIError(teacherError: error)))
        }
        exchange.endUpstream()
        exchange.markFirstByte()
        let json = try? JSONValue.parse(bytes)
        var chatBody = bytes, forwarded = bytes
        var replayable: CompletionParts?  // the completion, for a client that asked for a stream
        if let json {
            let completion: JSONValue
            switch api {
            case _ where response.status >= 400: completion = OpenAIError(status: response.status, body: json).json
            case .chat:
                completion = capture?.take(json, into: exchange) ?? json
                if capture?.strip == true { (chatBody, forwarded) = (completion.serialized(), completion.serialized()) }
            case .responses: completion = ResponsesObject.parts(json).completionJSON
            case .messages:
                var parts = MessagesObject.parts(json)
                parts.created = client.createdAt  // Anthropic's messages carry no time
                completion = parts.completionJSON
            }
            if api != .chat { chatBody = completion.serialized() }
            if clientStreams, response.status == 200, completion["choices"]?.arrayValue?.isEmpty == false {
                replayable = CompletionParts(completion: completion)
            }
            exchange.update { $0.apply(completion: completion) }
            if response.status >= 400 { exchange.update { $0.error = json["error"]?["message"]?.stringValue ?? "teacher error \(response.status)" } }
        }
        if api != .chat && passthrough {
            let raw = String(decoding: bytes, as: UTF8.self)
            exchange.update { $0.rawResponseJSON = raw }
        }
        guard await exchange.complete(status: response.status, response: String(decoding: chatBody, as: UTF8.self)) else {
            return await failure(OpenAIError.logUnavailable().response(headers: [.retortExchangeID: exchange.id]))
        }
        var headers = forwardedHeaders(response, exchange: exchange)
        if let parts = replayable, !passthrough || api == .chat {
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let events = parts.streamItems(includeUsage: streamUsage).flatMap(\.sseBytes)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: events)))
        }
        if !passthrough { headers[.contentType] = "application/json" }
        return Response(status: .init(code: response.status, reasonPhrase: ""), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: passthrough ? forwarded : chatBody)))
    }
}
