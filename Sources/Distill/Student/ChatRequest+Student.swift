import ChatAPI
import Engine

extension ChatRequest {
    /// The engine's generation options for this request.
    /// With `constrained`, a JSON `response_format` becomes the options' shape.
    func generationOptions(defaultMaxTokens: Int, constrained: Bool) -> GenerationOptions {
        GenerationOptions(
            temperature: Float(temperature ?? 1), topP: Float(topP ?? 1), topK: 0,
            seed: seed.map { UInt64(bitPattern: Int64($0)) }, maxTokens: maxTokens ?? defaultMaxTokens,
            stop: stop, logprobs: logprobs, topLogprobs: topLogprobs ?? 0, jsonShape: constrained ? try? StudentJSONShape.shape(for: self) : nil)
    }

    /// The conversation for the engine's chat template.
    var engineMessages: [Engine.ChatMessage] {
        messages.map { Engine.ChatMessage(role: $0.role == "developer" ? "system" : $0.role, content: $0.content) }
    }

    /// Why the student cannot answer this request, if it cannot; with `constrained`
    /// decoding, a schema it cannot enforce is one reason.
    public func studentUnsupportedReason(constrained: Bool) -> String? {
        if hasTools { return "tools" }
        if hasNonTextContent { return "non-text content" }
        if choiceCount > 1 { return "n > 1" }
        guard constrained else { return nil }
        do {
            _ = try StudentJSONShape.shape(for: self)
        } catch {
            return error.description
        }
        return nil
    }
}
