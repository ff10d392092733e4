import CCurl

/// Process-wide libcurl set-up, done once before the first handle is made.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe; a lazily initialised static runs it exactly once.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// Initialises libcurl if no one has yet.
    static func ensureInitialized() {
        _ = initialized
    }
}
