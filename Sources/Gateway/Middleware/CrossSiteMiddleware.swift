import ChatAPI
import HTTPTypes
import Hummingbird

/// Refuses what a web page on another site can make a browser send, so no page the
/// user visits can drive the gateway (train, rate, promote) or read its corpus:
///
/// - **Host allow-list** (DNS rebinding): the `Host` must be an IP literal, a loopback
///   name, the bound host, this machine's name or one of `allowed_hosts`. A rebinding
///   page reaches the port under its own DNS name, which is none of these.
/// - **Origin** (cross-site requests): a state-changing request whose `Origin` is not the
///   gateway's own (same host and port as `Host`) or one of `allowed_origins` is refused,
///   as is one a browser marks `Sec-Fetch-Site: cross-site`. Clients that are not
///   browsers send neither header.
/// - **JSON only**: a POST with a body must say `Content-Type: application/json`. The
///   types a page may send without a CORS preflight (forms, `text/plain`) are refused, so
///   a cross-site page cannot post a body the handlers would parse.
struct CrossSiteMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: CrossSitePolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try policy.check(method: request.method, authority: request.head.authority, headers: request.headers)
        return try await next(request, context)
    }
}

/// The rules of ``CrossSiteMiddleware``, apart from HTTP plumbing so they can be tested
/// one header at a time.
struct CrossSitePolicy: Sendable {
    /// Lowercased host names accepted in `Host` besides IP literals and loopback names.
    let hosts: Set<String>
    /// Whether `allowed_hosts` contains `*`: every `Host` is accepted.
    let anyHost: Bool
    /// Lowercased origins (`scheme://host[:port]`) accepted besides the gateway's own.
    let origins: Set<String>
    /// Whether `allowed_origins` contains `*`.
    let anyOrigin: Bool

    /// The policy for a server bound to `bindHost`, known as `machineName` too.
    init(allowedHosts: [String], allowedOrigins: [String], bindHost: String, machineName: String?) {
        var hosts = Set(allowedHosts.map(Self.normalizedName))
        hosts.insert(Self.normalizedName(bindHost))
        if let machineName, !machineName.isEmpty { hosts.insert(Self.normalizedName(machineName)) }
        self.hosts = hosts
        anyHost = allowedHosts.contains("*")
        origins = Set(allowedOrigins.map { $0.lowercased() })
        anyOrigin = allowedOrigins.contains("*")
    }

    /// Throws the client-facing error for a request a cross-site page could have made.
    /// `authority` is the request's `Host` (HTTP/1) or `:authority` (HTTP/2).
    func check(method: HTTPRequest.Method, authority host: String?, headers: HTTPFields) throws {
        if let host, !hostAllowed(host) {
            throw OpenAIError(status: 403, message: "Host `\(host)` is not one this gateway answers to. Add it to `allowed_hosts` if it is yours.",
                              type: "invalid_request_error", code: "host_not_allowed")
        }
        guard method != .get && method != .head && method != .options else { return }
        if let origin = headers.value(.origin) {
            guard originAllowed(origin, host: host) else {
                throw OpenAIError(status: 403, message: "Cross-origin request from `\(origin)` refused. Add the origin to `allowed_origins` if it is yours.",
                                  type: "invalid_request_error", code: "cross_origin_refused")
            }
        } else if let site = headers.value(.secFetchSite), site.utf8.elementsEqual("cross-site".utf8) {
            throw OpenAIError(status: 403, message: "Cross-site request refused.", type: "invalid_request_error", code: "cross_origin_refused")
        }
        let contentType = headers.value(.contentType)
        if method == .post || method == .put || method == .patch, hasBody(headers) || contentType != nil, !Self.isJSON(contentType) {
            throw OpenAIError(status: 415, message: "Send the body as JSON with `Content-Type: application/json`.",
                              type: "invalid_request_error", code: "unsupported_media_type")
        }
    }

    /// Whether a `Host` header value (name or address, optional port) is accepted.
    func hostAllowed(_ value: String) -> Bool {
        if anyHost { return true }
        guard let name = Self.hostName(of: value) else { return false }
        if Self.isIPLiteral(name) || name == "localhost" || name.hasSuffix(".localhost") { return true }
        return hosts.contains(name)
    }

    /// Whether `origin` is the gateway's own (same host and port as `host`) or allowed.
    func originAllowed(_ origin: String, host: String?) -> Bool {
        let lower = origin.lowercased()
        if anyOrigin || origins.contains(lower) { return true }
        guard let host, let separator = lower.range(of: "://") else { return false }  // also "null"
        let authority = lower[separator.upperBound...]
        return !authority.contains("/") && authority == host.lowercased()
    }

    /// Whether the headers announce a body.
    private func hasBody(_ headers: HTTPFields) -> Bool {
        if let length = headers.value(.contentLength) { return length != "0" }
        return headers.value(.transferEncoding) != nil
    }

    /// `application/json` or a `+json` type, parameters allowed (compared without Foundation:
    /// this runs on every request).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        var type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }[...]
        while type.last == UInt8(ascii: " ") || type.last == UInt8(ascii: "\t") { type = type.dropLast() }
        while type.first == UInt8(ascii: " ") || type.first == UInt8(ascii: "\t") { type = type.dropFirst() }
        let lower = type.map(\.asciiLowercased)
        let application = Array("application/".utf8)
        guard lower.starts(with: application) else { return false }
        let subtype = lower.dropFirst(application.count)
        return subtype.elementsEqual("json".utf8) || (subtype.count > 5 && subtype.suffix(5).elementsEqual("+json".utf8))
    }

    /// The lowercased host of a `Host` value without its port (and without IPv6 brackets).
    static func hostName(of value: String) -> String? {
        var bytes = value.utf8[...]
        while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        while bytes.last == UInt8(ascii: " ") { bytes = bytes.dropLast() }
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            return normalizedName(String(decoding: bytes[bytes.index(after: bytes.startIndex)..<close], as: UTF8.self))
        }
        let name = bytes.prefix { $0 != UInt8(ascii: ":") }
        return name.isEmpty ? nil : normalizedName(String(decoding: name, as: UTF8.self))
    }

    /// A host name lowercased without the root's trailing dot.
    static func normalizedName(_ name: String) -> String {
        let lower = name.utf8.map(\.asciiLowercased)
        return String(decoding: lower.last == UInt8(ascii: ".") ? lower.dropLast() : lower[...], as: UTF8.self)
    }

    /// Whether `name` is an IPv4 or IPv6 address rather than a DNS name. A rebinding page
    /// can only reach the gateway under a name it controls, never under an address.
    /// Read as bytes, without Foundation: this runs on every request.
    static func isIPLiteral(_ name: String) -> Bool {
        let bytes = name.utf8
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if bytes.contains(UInt8(ascii: ":")) {
            return bytes.allSatisfy { byte in
                isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
                    || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
            }
        }
        // Four dot-separated numbers of one to three digits, each at most 255; in one pass
        // with nothing allocated, as every request's Host goes through here.
        var dots = 0, digits = 0, value = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                (dots, digits, value) = (dots + 1, 0, 0)
            } else {
                guard isDigit(byte) else { return false }
                (digits, value) = (digits + 1, value * 10 + Int(byte - UInt8(ascii: "0")))
                guard digits <= 3, value <= 255 else { return false }
            }
        }
        return dots == 3 && digits > 0
    }
}

extension HTTPField.Name {
    /// `Sec-Fetch-Site`: a browser's statement of where a request comes from.
    static let secFetchSite = HTTPField.Name("sec-fetch-site")!
}
