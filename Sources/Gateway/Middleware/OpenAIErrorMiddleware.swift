import ChatAPI
import HTTPTypes
import Hummingbird

/// The one place errors become responses: every error thrown by a handler or by the
/// router leaves as OpenAI-shaped JSON with the right status (Anthropic-shaped on
/// `/v1/messages`, where Anthropic's clients read it).
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let error = OpenAIError(error)
            guard request.uri.path.hasSuffix("/v1/messages") else { return error.response() }
            return error.response(body: error.anthropicJSON)
        }
    }
}

extension OpenAIError {
    /// Maps any error onto the wire shape: ours pass through, Hummingbird's keep their status.
    init(_ error: any Error) {
        switch error {
        case let error as OpenAIError:
            self = error
        case let error as HTTPError:
            let status = Int(error.status.code)
            switch status {
            case 404: self = OpenAIError(status: 404, message: "Unknown endpoint.", type: "invalid_request_error", code: "unknown_url")
            case 405: self = OpenAIError(status: 405, message: "Method not allowed.", type: "invalid_request_error", code: "method_not_allowed")
            case 413: self = .bodyTooLarge(limit: 0)
            default: self = OpenAIError(status: status, message: error.body ?? error.status.reasonPhrase,
                                        type: status < 500 ? "invalid_request_error" : "api_error")
            }
        default:
            self = .internalError("Internal error.")
        }
    }

    /// This error as a JSON response, with `headers` added (and another shape of body, if given).
    func response(headers: HTTPFields = [:], body: JSONValue? = nil) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let status = HTTPResponse.Status(code: status, reasonPhrase: "")
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: (body ?? json).serialized())))
    }
}
