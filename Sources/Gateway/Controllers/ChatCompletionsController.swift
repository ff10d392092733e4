import ChatAPI
import Corpus
import Distill
import Foundation
import HTTPTypes
import Hummingbird
import Serving
import Teacher

/// `POST /v1/chat/completions`: validate, route (the route's serving mode may give the
/// request to the student, see ``serveProgressively(_:route:exchange:)``), forward to the
/// teacher, answer the client (a stream byte for byte), and log the exchange.
///
/// ``answer(_:headers:connection:)`` is the pipeline every surface shares: the Responses
/// and Messages controllers call it with their request in chat form.
struct ChatCompletionsController {
    let services: GatewayServices

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("chat/completions") { request, context in
            try await self.create(request, connection: self.connection(context))
        }
    }

    /// The client's connection with the configured read and write timeouts.
    func connection(_ context: GatewayRequestContext) -> ClientConnection {
        let configuration = services.configuration
        return ClientConnection(channel: context.channel, readTimeout: .milliseconds(configuration.requestReadTimeoutMs),
                                writeTimeout: .milliseconds(configuration.clientWriteTimeoutMs))
    }

    func create(_ request: Request, connection: ClientConnection) async throws -> Response {
        var request = request
        let body = try await connection.closing(after: connection.readTimeout) { try await collectBody(&request) }
        let chat = try ChatRequest(body: body)
        return try await answer(Ingress(surface: .chat, chat: chat, chatBody: body, raw: nil), headers: request.headers, connection: connection)
    }

    /// Answers a request already in chat form, whatever surface it came in on: route it,
    /// let the student or the teacher answer, log it, and write the answer back in the
    /// client's surface.
    func answer(_ ingress: Ingress, headers: HTTPFields, connection: ClientConnection) async throws -> Response {
        let chat = ingress.chat
        guard let route = services.configuration.route(named: RouteName(chat.model)) else {
            throw OpenAIError.modelNotFound(chat.model)
        }
        // An answer is acknowledged only once logged: while the log cannot write, refuse
        // before paying the teacher.
        guard services.log.isAccepting else { throw OpenAIError.logUnavailable() }
        let record = newRecord(ingress, headers: headers, route: route)
        let exchange = PendingExchange(record: record, services: services, prompt: Self.promptFields(ingress))
        let client = ClientSurface(surface: ingress.surface, request: ingress.raw ?? chat.json, exchangeID: record.id,
                                   createdAt: Int(record.createdAt))
        if client.surface != .chat {
            exchange.setRawResponse { status, response in client.rawResponse(status: status, chatResponse: response) }
        }
        if route.backend == .student || services.teacher == nil {
            return await client.adapt(answerLocally(chat, route: route, exchange: exchange, connection: connection))
        }
        if let answer = await serveProgressively(chat, route: route, exchange: exchange, connection: connection) {
            return await client.adapt(answer)
        }
        return await askTeacher(ingress, route: route, exchange: exchange, client: client, headers: headers, connection: connection)
    }

    /// Answers with the local model: the student route, or the built-in model standing in
    /// for a teacher that is not configured.
    func answerLocally(_ chat: ChatRequest, route: RouteConfiguration, exchange: PendingExchange, connection: ClientConnection) async -> Response {
        guard let student = services.student else {
            return await fail(exchange, .upstreamUnavailable("no teacher is configured; set RETORT_TEACHER_URL or teacher.url in the config file"))
        }
        let asTeacher = route.backend == .teacher
        exchange.update {
            $0.servedBy = asTeacher ? "teacher" : "student"
            $0.servedReason = asTeacher ? "builtin-teacher" : "route:student"
            $0.teacherURL = asTeacher ? "builtin:" + student.path : nil
            $0.upstreamModel = student.modelName ?? student.path
        }
        return await StudentCompletion(backend: student, chat: chat, exchange: exchange, connection: connection,
                                       defaultMaxTokens: services.configuration.student.defaultMaxTokens).respond()
    }

    /// Reads the request body up to the configured limit (413 beyond it).
    func collectBody(_ request: inout Request) async throws -> [UInt8] {
        let limit = services.configuration.maxBodyBytes
        if let length = request.headers.value(.contentLength).flatMap(Int.init), length > limit {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
    }

    /// Logs the exchange as failed and answers with `error`.
    func fail(_ exchange: PendingExchange, _ error: OpenAIError) async -> Response {
        await exchange.complete(status: error.status, error: error.message, response: error.json.jsonString)
        var headers: HTTPFields = [.retortExchangeID: exchange.id]
        if error.status == 503 { headers[.retryAfter] = "1" }
        return error.response(headers: headers)
    }
}

extension ChatCompletionsController {
    /// The draft log record for `chat`, without the request's fields (``promptFields(_:)``).
    func newRecord(_ ingress: Ingress, headers: HTTPFields, route: RouteConfiguration) -> ExchangeRecord {
        let chat = ingress.chat
        var record = ExchangeRecord(id: ExchangeID.make(), createdAt: Date().timeIntervalSince1970, route: route.name.rawValue,
                                    servedBy: "teacher", status: 0, stream: chat.stream, promptHash: "", requestJSON: "")
        record.surface = ingress.surface.rawValue
        record.servedReason = "teacher:mode_teacher"  // replaced by the serving decision
        record.teacherURL = services.configuration.teacher.url
        record.upstreamModel = route.teacherModel
        record.user = chat.user
        record.metadata = chat.metadata?.jsonString
        record.tags = headers[values: .retortTags].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let task = headers.value(.retortTask)?.trimmingCharacters(in: .whitespaces), !task.isEmpty {
            record.tags.append(TaskKey.tagPrefix + task)  // the task inside the route, for evaluation (TaskKey)
        }
        return record
    }

    /// The record's request fields for `ingress`: the prompt's hash and the request as text,
    /// computed when the exchange first needs them (while the teacher works on a request
    /// sent to it, or when the exchange is logged).
    static func promptFields(_ ingress: Ingress) -> @Sendable () -> PendingExchange.PromptFields {
        {
            PendingExchange.PromptFields(promptHash: ingress.chat.promptHash,
                                         requestJSON: String(decoding: ingress.chatBody, as: UTF8.self),
                                         rawRequestJSON: ingress.rawBody.map { String(decoding: $0, as: UTF8.self) })
        }
    }

    /// The chat body sent upstream: the client's bytes untouched unless the model name
    /// maps to another, or a stream needs `stream_options.include_usage` for the log.
    func upstreamChatBody(_ chat: ChatRequest, original: [UInt8], route: RouteConfiguration) -> [UInt8] {
        var json = chat.json
        var changed = false
        if route.teacherModel != chat.model {
            json = json.setting("model", to: .string(route.teacherModel))
            changed = true
        }
        let alternatives = services.configuration.teacher.captureLogprobs
        if alternatives > 0 && !chat.logprobs {
            json = json.setting("logprobs", to: .bool(true)).setting("top_logprobs", to: .int(alternatives))
            changed = true
        }
        if chat.stream && !chat.includeUsage && services.configuration.teacher.injectStreamUsage {
            let options = (json["stream_options"]?.objectValue != nil ? json["stream_options"]! : .object([]))
            json = json.setting("stream_options", to: options.setting("include_usage", to: .bool(true)))
            changed = true
        }
        return changed ? json.serialized() : original
    }

    /// Headers passed back from the teacher, plus our exchange id.
    func forwardedHeaders(_ response: TeacherResponse, exchange: PendingExchange) -> HTTPFields {
        var fields = HTTPFields()
        var hasContentType = false
        for (name, value) in response.headers where Self.isForwarded(name) {
            guard let field = HTTPField.Name(name) else { continue }
            hasContentType = hasContentType || field == .contentType
            fields.append(HTTPField(name: field, value: value))
        }
        if !hasContentType { fields[.contentType] = "application/json" }
        if response.isEventStream { fields[.cacheControl] = "no-cache" }
        fields[.retortExchangeID] = exchange.id
        return fields
    }

    /// Whether a teacher's response header goes on to the client: its content type, retry
    /// advice, request id and rate-limit and OpenAI headers. Checked bytewise before the
    /// name is parsed, as it runs for every header of every answer.
    static func isForwarded(_ name: String) -> Bool {
        name.equalsIgnoringASCIICase("content-type") || name.equalsIgnoringASCIICase("retry-after")
            || name.equalsIgnoringASCIICase("x-request-id") || name.hasPrefixIgnoringASCIICase("x-ratelimit-")
            || name.hasPrefixIgnoringASCIICase("openai-")
    }
}

extension OpenAIError {
    /// The client-facing error for a failed teacher call: 502 unreachable, 504 timeout.
    init(teacherError error: any Error) {
        guard let error = error as? TeacherError else {
            self = .upstreamUnavailable(String(describing: error))
            return
        }
        switch error {
        case .timedOut: self = .upstreamTimeout(error.description)
        case .cancelled: self = OpenAIError(status: 499, message: "Client closed the request.", type: "api_error", code: "client_closed")
        case .overloaded: self = .overloaded("The gateway is at its limit of teacher requests in flight (\(error.description)); retry shortly.")
        default: self = .upstreamUnavailable(error.description)
        }
    }
}

extension HTTPField.Name {
    /// `x-retort-exchange-id`: the id of the logged exchange, for feedback.
    static let retortExchangeID = HTTPField.Name("x-retort-exchange-id")!
    /// `x-retort-tags`: comma-separated tags kept with the exchange.
    static let retortTags = HTTPField.Name("x-retort-tags")!
    static let retortTask = HTTPField.Name("x-retort-task")!
}
