import ChatAPI

/// `teacher.capture_logprobs` for one request to a chat teacher: the teacher was asked for
/// token log-probabilities; the first choice's are kept with the exchange for logprob
/// distillation and, when the client did not ask for them, removed from every answer the
/// client sees (whole or streamed), so it gets exactly what it asked for.
struct LogprobCapture: Sendable {
    /// Whether the log-probabilities were asked for the log only (strip them for the client).
    let strip: Bool

    /// The capture of a request whose client asked for logprobs (`clientAsked`) or not,
    /// when `alternatives` > 0 and the teacher speaks chat; nil otherwise.
    init?(alternatives: Int, teacherAPI: APISurface, clientAsked: Bool) {
        guard alternatives > 0, teacherAPI == .chat else { return nil }
        strip = !clientAsked
    }

    /// Keeps the first choice's log-probabilities of `completion` (a `chat.completion`) with
    /// the exchange and returns the completion as the client sees it.
    func take(_ completion: JSONValue, into exchange: PendingExchange) -> JSONValue {
        if let first = completion["choices"]?.arrayValue?.first?["logprobs"], let logprobs = TokenLogprobs(choiceLogprobs: first) {
            exchange.update { $0.teacherLogprobs = logprobs }
        }
        return strip ? Self.stripped(completion) : completion
    }

    /// One streamed chunk's bytes as the client gets them: its choices' `logprobs` set to
    /// null (as a chunk of a request without logprobs has them); other events unchanged.
    func clientEvent(_ event: SSEEvent) -> [UInt8] {
        var data = event.data
        if strip, let chunk = try? JSONValue.parse(Array(data.utf8)), chunk["choices"]?.arrayValue != nil {
            data = Self.stripped(chunk).jsonString
        }
        var bytes: [UInt8] = []
        if let name = event.event { bytes += Array("event: \(name)\n".utf8) }
        if let id = event.id { bytes += Array("id: \(id)\n".utf8) }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { bytes += Array("data: \(line)\n".utf8) }
        return bytes + [UInt8(ascii: "\n")]
    }

    /// `value` with every choice's `logprobs` null.
    static func stripped(_ value: JSONValue) -> JSONValue {
        guard let choices = value["choices"]?.arrayValue else { return value }
        return value.setting("choices", to: .array(choices.map { $0["logprobs"] == nil ? $0 : $0.setting("logprobs", to: .null) }))
    }
}
