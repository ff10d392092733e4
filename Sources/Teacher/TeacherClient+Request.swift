import ChatAPI

extension TeacherClient {
    /// The base URL joined with `path`; only `http` and `https` URLs are accepted.
    func makeURL(path: String) throws(TeacherError) -> String {
        let base = try baseURL.get()
        if path.isEmpty { return base }
        return path.hasPrefix("/") ? base + path : base + "/" + path
    }

    /// The configured base URL, checked and without trailing slashes (worked out once, in
    /// ``init(configuration:unitRandom:wallClock:)``).
    static func checkedBase(_ configured: String) -> Result<String, TeacherError> {
        var base = configured.trimmingWhitespace()
        let lowered = base.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
              !base.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true })
        else { return .failure(.invalidURL(Self.redactingUserInfo(base))) }
        while base.hasSuffix("/") { base.removeLast() }
        return .success(base)
    }

    /// `url` with any `user:password@` part replaced by `***@`, fit for an error message.
    static func redactingUserInfo(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "***" + String(rest[at...])
    }

    /// Whether `text` holds a CR or LF (scalars, since `"\r\n"` is one `Character`).
    static func hasLineBreak(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
    }

    /// The header lines to send: the request's own (minus any with line breaks, which would
    /// smuggle headers), `Authorization` from the API key unless given, a JSON content type
    /// for a body without one, and an empty `Expect` so curl never waits for `100 Continue`.
    func makeHeaderLines(_ request: TeacherRequest) -> [String] {
        let kept = request.headers.filter { name, value in !name.isEmpty && !Self.hasLineBreak(name) && !Self.hasLineBreak(value) }
        var lines = kept.map { name, value in name + ": " + value }
        // A handful of names, compared in place: this runs for every request.
        func given(_ header: String) -> Bool {
            kept.contains { name, _ in name.equalsIgnoringASCIICase(header) }
        }
        if let key = configuration.apiKey, !key.isEmpty, !Self.hasLineBreak(key) {
            switch configuration.keyHeader {
            case .bearer where !given("authorization"): lines.append("Authorization: Bearer " + key)
            case .xAPIKey where !given("x-api-key"): lines.append("x-api-key: " + key)
            default: break
            }
        }
        if !request.body.isEmpty && !given("content-type") {
            lines.append("Content-Type: application/json")
        }
        if !given("expect") {
            lines.append("Expect:")
        }
        return lines
    }
}
