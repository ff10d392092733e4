/// An error in OpenAI's wire shape, `{"error":{"message","type","param","code"}}`,
/// with the HTTP status it is sent with.
///
/// Every layer maps its own errors onto this one type; the HTTP edge alone writes it.
public struct OpenAIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status code.
    public var status: Int
    /// Human-readable explanation.
    public var message: String
    /// OpenAI error type, e.g. `invalid_request_error`.
    public var type: String
    /// The request parameter at fault, if any (e.g. `messages[0].role`).
    public var param: String?
    /// A machine-readable code, e.g. `model_not_found`.
    public var code: String?

    /// Creates an error.
    public init(status: Int, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    public var description: String { "\(status) \(type): \(message)" }

    /// The JSON body.
    public var json: JSONValue {
        .object([("error", .object([
            ("message", .string(message)),
            ("type", .string(type)),
            ("param", param.map(JSONValue.string) ?? .null),
            ("code", code.map(JSONValue.string) ?? .null),
        ]))])
    }

    /// 400: the request is malformed or a parameter is invalid.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// 404: the requested model (route) does not exist.
    public static func modelNotFound(_ model: String) -> OpenAIError {
        OpenAIError(status: 404, message: "The model `\(model)` does not exist or you do not have access to it.",
                    type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    /// 401: a missing or wrong API key.
    public static func invalidAPIKey() -> OpenAIError {
        OpenAIError(status: 401, message: "Incorrect or missing API key. Send it as `Authorization: Bearer <key>`.",
                    type: "invalid_request_error", code: "invalid_api_key")
    }

    /// 413: the request body exceeds the configured limit.
    public static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(status: 413, message: "Request body exceeds the limit of \(limit) bytes.",
                    type: "invalid_request_error", code: "request_too_large")
    }

    /// 502: the teacher could not be reached or broke the connection.
    public static func upstreamUnavailable(_ detail: String) -> OpenAIError {
        OpenAIError(status: 502, message: "The upstream model server is unavailable: \(detail)",
                    type: "api_error", code: "upstream_unavailable")
    }

    /// 504: the teacher did not answer in time.
    public static func upstreamTimeout(_ detail: String) -> OpenAIError {
        OpenAIError(status: 504, message: "The upstream model server timed out: \(detail)",
                    type: "api_error", code: "upstream_timeout")
    }

    /// 503: the gateway is overloaded; retry later.
    public static func overloaded(_ detail: String) -> OpenAIError {
        OpenAIError(status: 503, message: detail, type: "api_error", code: "overloaded")
    }

    /// 503: the exchange log cannot commit (a full disk, say), so no answer can be
    /// acknowledged; retry later.
    public static func logUnavailable(_ detail: String = "The exchange log cannot write to disk, so the gateway cannot answer; retry later.") -> OpenAIError {
        OpenAIError(status: 503, message: detail, type: "api_error", code: "log_unavailable")
    }

    /// 500: something unexpected inside the gateway.
    public static func internalError(_ detail: String) -> OpenAIError {
        OpenAIError(status: 500, message: detail, type: "api_error", code: "internal_error")
    }
}
