import ChatAPI
import HTTPTypes
import Hummingbird
import Teacher

/// `POST /v1/embeddings` and every other `/v1/*` path the gateway does not answer itself
/// (`/v1/completions`, `/v1/moderations`, `/v1/audio/…`): forwarded to the teacher with
/// the client's method, query and body, behind the same client keys, limits and
/// timeouts. These are not distillation data, so nothing goes into the corpus; each is
/// counted in `retort_proxied_requests_total`, and embeddings' input tokens in
/// `retort_embedding_tokens_total`.
struct ProxyController {
    let services: GatewayServices
    let completions: ChatCompletionsController

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .delete] {
            group.on("**", method: method) { request, context in
                try await self.forward(request, connection: self.completions.connection(context))
            }
        }
    }

    func forward(_ request: Request, connection: ClientConnection) async throws -> Response {
        guard let teacher = services.teacher else {
            throw OpenAIError.upstreamUnavailable("no teacher is configured to serve \(request.uri.path)")
        }
        var request = request
        let body = try await connection.closing(after: connection.readTimeout) { try await completions.collectBody(&request) }
        let path = String(request.uri.path.dropFirst("/v1".count))
        let isEmbeddings = path == "/embeddings"
        var headers = [("Accept", request.headers[.accept] ?? "application/json")]
        if let type = request.headers[.contentType] { headers.append(("Content-Type", type)) }
        let query = request.uri.query.map { "?" + $0 } ?? ""
        let response: TeacherResponse
        do {
            response = try await teacher.send(TeacherRequest(method: request.method.rawValue, path: path + query, headers: headers, body: body))
        } catch {
            count(path: path, status: OpenAIError(teacherError: error).status)
            throw OpenAIError(teacherError: error)
        }
        count(path: path, status: response.status)
        var fields: HTTPFields = [.contentType: response.header("content-type") ?? "application/json"]
        if let retry = response.header("retry-after") { fields[.retryAfter] = retry }
        let status = HTTPResponse.Status(code: response.status, reasonPhrase: "")
        if isEmbeddings {
            let bytes: [UInt8]
            do {
                bytes = try await response.body.collect(upTo: services.configuration.maxResponseBytes)
            } catch {
                throw OpenAIError(teacherError: error)
            }
            if let tokens = (try? JSONValue.parse(bytes))?["usage"]?["prompt_tokens"]?.intValue {
                services.metrics.increment("retort_embedding_tokens_total", by: Double(tokens), help: "Input tokens of proxied embeddings requests.")
            }
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let limit = services.configuration.maxStreamBytes
        return Response(status: status, headers: fields, body: ResponseBody { writer in
            var sent = 0
            do {
                for try await chunk in response.body {
                    sent += chunk.count
                    guard sent <= limit else { break }
                    try await connection.write(ByteBuffer(bytes: chunk), to: &writer)
                }
            } catch {
                response.body.cancel()
            }
            response.body.cancel()
            try? await writer.finish(nil)
        })
    }

    /// Paths counted by name; any other is counted as `other`, so a client cannot grow
    /// the metric without bound.
    static let countedPaths: Set<String> = ["/embeddings", "/completions", "/moderations", "/audio/speech", "/audio/transcriptions",
                                            "/audio/translations", "/images/generations", "/rerank", "/tokenize"]

    private func count(path: String, status: Int) {
        let label = Self.countedPaths.contains(path) ? path : "other"
        services.metrics.increment("retort_proxied_requests_total", [("path", label), ("status", String(status))],
                                   help: "Requests forwarded to the teacher outside the corpus (embeddings and other /v1 paths).")
    }
}
