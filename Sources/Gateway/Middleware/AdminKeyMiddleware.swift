import ChatAPI
import HTTPTypes
import Hummingbird

/// Guards `/admin/*`.
///
/// With an admin key configured, requests need `Authorization: Bearer <key>`. With
/// none, the admin API answers only to local clients: the connection's peer address
/// (``GatewayRequestContext``) must be loopback, and the request must not have come
/// through a proxy (`Forwarded`, `X-Forwarded-For`, `X-Real-IP` or `Via`): a reverse
/// proxy or tunnel on this machine connects from loopback on behalf of someone else.
/// A context without a peer (in-process tests) falls back to the bind address.
struct AdminKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The configured key (`RETORT_ADMIN_KEY`), if any.
    let key: String?
    /// Whether the server listens on a loopback address only.
    let boundToLoopback: Bool

    /// Guards with `key`, or by loopback when `key` is nil and the server binds `host`.
    init(key: String?, host: String) {
        self.key = key
        self.boundToLoopback = isLoopbackHost(host)
    }

    /// Refuses with 401 (wrong or missing key) or 403 (no key, not loopback).
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let key {
            guard let given = request.headers[.authorization].flatMap(bearerToken), constantTimeEqual(given, key) else {
                throw OpenAIError(status: 401, message: "The admin API needs `Authorization: Bearer <RETORT_ADMIN_KEY>`.",
                                  type: "invalid_request_error", code: "invalid_admin_key")
            }
        } else if !peerIsLoopback(context) || Self.isProxied(request.headers) {
            throw OpenAIError(status: 403, message: "No admin key is configured, so the admin API answers only on loopback. Set RETORT_ADMIN_KEY to use it remotely.",
                              type: "invalid_request_error", code: "admin_loopback_only")
        }
        return try await next(request, context)
    }

    /// Whether a proxy says it relayed the request.
    static func isProxied(_ headers: HTTPFields) -> Bool {
        ["forwarded", "x-forwarded-for", "x-real-ip", "via"].contains { headers[HTTPField.Name($0)!] != nil }
    }

    private func peerIsLoopback(_ context: Context) -> Bool {
        guard let remote = (context as? any RemoteAddressRequestContext)?.remoteAddress else { return boundToLoopback }
        guard let address = remote.ipAddress else { return true }  // a Unix socket is local
        return isLoopbackHost(address)
    }
}

/// Whether `host` (a name or address) is a loopback address.
func isLoopbackHost(_ host: String) -> Bool {
    let lower = host.lowercased()
    return lower == "localhost" || lower == "::1" || lower.hasPrefix("127.") || lower.hasPrefix("::ffff:127.")
}

/// Compares two secrets in time independent of where they differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return difference == 0
}
