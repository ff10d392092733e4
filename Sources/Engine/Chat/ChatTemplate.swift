/// The ChatML chat format as SmolLM2's `tokenizer.chat_template` defines it:
///
///     {% if loop.first and messages[0]['role'] != 'system' %}<|im_start|>system\n{DEFAULT}<|im_end|>\n{% endif %}
///     <|im_start|>{role}\n{content}<|im_end|>\n  … per message
///     <|im_start|>assistant\n                        (the generation prompt)
///
/// The Jinja source is not interpreted: the engine recognizes ChatML by its markers and
/// reads the default system prompt out of it. Any other template is rejected.
public struct ChatTemplate: Sendable, Equatable {
    /// A piece of the rendered prompt: special markers are tokenized as control tokens,
    /// text (including message content) as plain text.
    public struct Fragment: Sendable, Equatable {
        /// The text of the piece.
        public var text: String
        /// Whether `text` is a control-token marker such as `<|im_start|>`.
        public var isSpecial: Bool
    }

    /// The system prompt inserted when the conversation does not start with one.
    public let defaultSystemPrompt: String?

    /// SmolLM2's default system prompt (as in its GGUF's chat template).
    public static let smolLMSystemPrompt = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"

    /// Recognizes `template` (the GGUF `tokenizer.chat_template`).
    /// - Throws: `EngineError.unsupportedChatTemplate` naming the template when it is not ChatML.
    public init(template: String?) throws {
        guard let template else {
            throw EngineError.unsupportedChatTemplate("(no tokenizer.chat_template in the model file)")
        }
        guard template.contains("<|im_start|>"), template.contains("<|im_end|>") else {
            throw EngineError.unsupportedChatTemplate(template)
        }
        defaultSystemPrompt = Self.extractDefaultSystemPrompt(template)
    }

    /// A ChatML template with an explicit default system prompt.
    public init(defaultSystemPrompt: String?) {
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// The text between `<|im_start|>system\n` and `<|im_end|>` in a template that adds
    /// a system message when the first message is not one.
    static func extractDefaultSystemPrompt(_ template: String) -> String? {
        guard template.contains("!= 'system'") || template.contains("!= \"system\"") else { return nil }
        for opener in ["<|im_start|>system\n", "<|im_start|>system\\n"] {
            guard let start = template.range(of: opener),
                  let end = template.range(of: "<|im_end|>", range: start.upperBound..<template.endIndex) else { continue }
            let prompt = String(template[start.upperBound..<end.lowerBound])
            // A Jinja expression here (e.g. `{{ messages[0]['content'] }}`) is not a default.
            if !prompt.contains("{{"), !prompt.contains("'+"), !prompt.contains("' +") { return prompt }
        }
        return nil
    }

    /// The prompt as fragments, ending with the assistant generation prompt.
    public func fragments(for messages: [ChatMessage]) -> [Fragment] {
        var all = messages
        if let defaultSystemPrompt, messages.first?.role != "system" {
            all.insert(ChatMessage(role: "system", content: defaultSystemPrompt), at: 0)
        }
        var fragments: [Fragment] = []
        for message in all {
            fragments.append(Fragment(text: "<|im_start|>", isSpecial: true))
            fragments.append(Fragment(text: message.role + "\n" + message.content, isSpecial: false))
            fragments.append(Fragment(text: "<|im_end|>", isSpecial: true))
            fragments.append(Fragment(text: "\n", isSpecial: false))
        }
        fragments.append(Fragment(text: "<|im_start|>", isSpecial: true))
        fragments.append(Fragment(text: "assistant\n", isSpecial: false))
        return fragments
    }

    /// The prompt as one string (what the Jinja template renders).
    public func render(_ messages: [ChatMessage]) -> String {
        fragments(for: messages).map(\.text).joined()
    }
}
