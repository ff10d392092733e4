import ChatAPI
import Corpus

extension OpenAIError {
    /// The client-facing error for a corpus error: 400 bad input or search syntax,
    /// 404 unknown target, 422 a pair that cannot be applied.
    init(corpusError error: CorpusError) {
        switch error {
        case .invalid(let message, let parameter):
            self = .invalidRequest(message, param: parameter)
        case .invalidSearch(let message):
            self = .invalidRequest(message, param: "q", code: "invalid_search")
        case .notFound(let message, let parameter):
            self = OpenAIError(status: 404, message: message, type: "invalid_request_error", param: parameter, code: "not_found")
        case .promptMismatch(let message):
            self = OpenAIError(status: 422, message: message, type: "invalid_request_error", param: "rejected", code: "prompt_mismatch")
        case .unprocessable(let message, let parameter):
            self = OpenAIError(status: 422, message: message, type: "invalid_request_error", param: parameter, code: "unprocessable")
        }
    }
}

/// Runs `body`, turning a ``CorpusError`` into the matching ``OpenAIError``.
func mappingCorpusErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CorpusError {
        throw OpenAIError(corpusError: error)
    }
}
