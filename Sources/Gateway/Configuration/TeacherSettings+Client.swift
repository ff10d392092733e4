import Teacher

extension TeacherSettings {
    /// The client configuration these settings describe.
    public var clientConfiguration: TeacherConfiguration {
        TeacherConfiguration(
            baseURL: url ?? "",
            apiKey: apiKey,
            keyHeader: api == .messages ? .xAPIKey : .bearer,
            connectTimeout: .milliseconds(connectTimeoutMs),
            firstByteTimeout: .milliseconds(firstByteTimeoutMs),
            idleTimeout: .milliseconds(idleTimeoutMs),
            totalTimeout: .milliseconds(totalTimeoutMs),
            retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(retryBaseDelayMs), maxDelay: .milliseconds(retryMaxDelayMs)),
            maxConcurrentTransfers: maxConcurrentTransfers,
            transport: transport
        )
    }
}
