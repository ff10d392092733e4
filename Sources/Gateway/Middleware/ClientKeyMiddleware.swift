import ChatAPI
import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer <key>` (or Anthropic's `x-api-key: <key>`) with one of
/// the configured client keys.
/// With no keys configured it lets every request through. The given key is compared
/// with every configured key in constant time, so timing tells nothing about them.
struct ClientKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !keys.isEmpty else { return try await next(request, context) }
        let key = request.headers.value(.authorization).flatMap(bearerToken) ?? request.headers.value(.anthropicAPIKey)
        guard let key, Self.matches(key, keys) else {
            throw OpenAIError.invalidAPIKey()
        }
        return try await next(request, context)
    }

    /// Whether `key` is one of `keys`, looking at every byte of every key.
    static func matches(_ key: String, _ keys: Set<String>) -> Bool {
        keys.reduce(false) { found, candidate in constantTimeEqual(key, candidate) || found }
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
func bearerToken(_ header: String) -> String? {
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    let token = parts[1].trimmingCharacters(in: .whitespaces)
    return token.isEmpty ? nil : token
}

extension HTTPField.Name {
    /// `x-api-key`: how Anthropic's clients send their key.
    static let anthropicAPIKey = HTTPField.Name("x-api-key")!
}
