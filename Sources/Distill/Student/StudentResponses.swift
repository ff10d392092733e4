import ChatAPI
import Engine

/// The OpenAI objects the student's answers are sent as.
public struct StudentResponses: Sendable {
    /// `chatcmpl-...` id shared by a completion and all of its chunks.
    public let completionID: String
    /// Unix seconds.
    public let created: Int
    /// The route name, echoed as `model`.
    public let model: String

    /// The builder for one answer.
    public init(completionID: String, created: Int, model: String) {
        self.completionID = completionID
        self.created = created
        self.model = model
    }

    private var header: [(key: String, value: JSONValue)] {
        [("id", .string(completionID)), ("object", .string("chat.completion")), ("created", .int(created)), ("model", .string(model))]
    }

    /// A whole `chat.completion`.
    public func completion(_ result: StudentResult, logprobs: Bool) -> JSONValue {
        let choice: JSONValue = .object([
            ("index", .int(0)),
            ("message", .object([("role", .string("assistant")), ("content", .string(result.text))])),
            ("logprobs", logprobs ? Self.logprobs(result.generation.tokens) : .null),
            ("finish_reason", .string(result.finishReason)),
        ])
        return .object(header + [("choices", .array([choice])), ("usage", usage(result))])
    }

    /// What a client that left mid-stream had been sent: the text, no finish reason.
    public func partialCompletion(text: String) -> JSONValue {
        let choice: JSONValue = .object([
            ("index", .int(0)), ("message", .object([("role", .string("assistant")), ("content", .string(text))])),
            ("logprobs", .null), ("finish_reason", .null),
        ])
        return .object(header + [("choices", .array([choice]))])
    }

    /// One `chat.completion.chunk` with `delta` (and a finish reason on the last).
    public func chunk(delta: JSONValue, finishReason: String? = nil, logprobs: JSONValue = .null) -> JSONValue {
        let choice: JSONValue = .object([
            ("index", .int(0)), ("delta", delta), ("logprobs", logprobs),
            ("finish_reason", finishReason.map(JSONValue.string) ?? .null),
        ])
        return .object(chunkHeader + [("choices", .array([choice]))])
    }

    /// The usage-only chunk sent last when `stream_options.include_usage` is set.
    public func usageChunk(_ result: StudentResult) -> JSONValue {
        .object(chunkHeader + [("choices", .array([])), ("usage", usage(result))])
    }

    private var chunkHeader: [(key: String, value: JSONValue)] {
        [("id", .string(completionID)), ("object", .string("chat.completion.chunk")), ("created", .int(created)), ("model", .string(model))]
    }

    private func usage(_ result: StudentResult) -> JSONValue {
        .object([("prompt_tokens", .int(result.promptTokens)), ("completion_tokens", .int(result.completionTokens)),
                 ("total_tokens", .int(result.promptTokens + result.completionTokens))])
    }

    /// OpenAI's `logprobs` object for one streamed `token`.
    public static func logprobs(_ token: StudentToken) -> JSONValue {
        logprobs([token.generated])
    }

    /// OpenAI's `logprobs` object for `tokens`.
    static func logprobs(_ tokens: [GeneratedToken]) -> JSONValue {
        .object([("content", .array(tokens.compactMap { token in
            token.logprob.map { entry($0, top: token.topLogprobs) }
        }))])
    }

    private static func entry(_ logprob: TokenLogprob, top: [TokenLogprob]? = nil) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("token", .string(logprob.token)), ("logprob", .double(Double(logprob.logprob))),
            ("bytes", .array(logprob.bytes.map { .int(Int($0)) })),
        ]
        if let top { members.append(("top_logprobs", .array(top.map { entry($0) }))) }
        return .object(members)
    }

    /// `data: JSON\n\n`.
    public static func event(_ json: JSONValue) -> [UInt8] {
        var out = Array("data: ".utf8)
        json.write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
        return out
    }
}
