extension TeacherClient {
    /// The base URL joined with `path`; only `http` and `https` URLs are accepted.
    func makeURL(path: String) throws(TeacherError) -> String {
        var base = configuration.baseURL.trimmingWhitespace()
        let lowered = base.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
              !base.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true })
        else { throw .invalidURL(base) }
        while base.hasSuffix("/") { base.removeLast() }
        if path.isEmpty { return base }
        return path.hasPrefix("/") ? base + path : base + "/" + path
    }

    /// The header lines to send: the request's own (minus any with line breaks, which would
    /// smuggle headers), `Authorization` from the API key unless given, a JSON content type
    /// for a body without one, and an empty `Expect` so curl never waits for `100 Continue`.
    func makeHeaderLines(_ request: TeacherRequest) -> [String] {
        var lines: [String] = []
        var names: Set<String> = []
        for (name, value) in request.headers {
            guard !name.isEmpty, !(name + value).contains(where: { $0 == "\r" || $0 == "\n" }) else { continue }
            lines.append("\(name): \(value)")
            names.insert(name.lowercased())
        }
        if let key = configuration.apiKey, !key.isEmpty, !names.contains("authorization"),
           !key.contains(where: { $0 == "\r" || $0 == "\n" }) {
            lines.append("Authorization: Bearer \(key)")
        }
        if !request.body.isEmpty && !names.contains("content-type") {
            lines.append("Content-Type: application/json")
        }
        if !names.contains("expect") {
            lines.append("Expect:")
        }
        return lines
    }
}
