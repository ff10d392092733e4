import ChatAPI
import Engine

extension ChatRequest {
    /// The engine's generation options for this request.
    func generationOptions(defaultMaxTokens: Int) -> GenerationOptions {
        GenerationOptions(
            temperature: Float(temperature ?? 1), topP: Float(topP ?? 1), topK: 0,
            seed: seed.map { UInt64(bitPattern: Int64($0)) }, maxTokens: maxTokens ?? defaultMaxTokens,
            stop: stop, logprobs: logprobs, topLogprobs: topLogprobs ?? 0, jsonShape: try? StudentJSONShape.shape(for: self))
    }

    /// The conversation for the engine's chat template.
    var engineMessages: [Engine.ChatMessage] {
        messages.map { Engine.ChatMessage(role: $0.role == "developer" ? "system" : $0.role, content: $0.content) }
    }

    /// Why the student cannot answer this request, if it cannot.
    public var studentUnsupportedReason: String? {
        if hasTools { return "tools" }
        if hasNonTextContent { return "non-text content" }
        if choiceCount > 1 { return "n > 1" }
        do {
            _ = try StudentJSONShape.shape(for: self)
        } catch {
            return error.description
        }
        return nil
    }
}
