import Engine
import Testing
import TestSupport

/// The ChatML template and its default system prompt.
@Suite struct ChatTemplateTests {
    @Test func defaultSystemPromptIsInsertedOnlyWhenMissing() throws {
        let template = try ChatTemplate(template: TinyModel.chatTemplate)
        let user = ChatMessage(role: "user", content: "Hi")
        #expect(template.render([user]) == """
            <|im_start|>system
            You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
            <|im_start|>user
            Hi<|im_end|>
            <|im_start|>assistant

            """)
        let system = ChatMessage(role: "system", content: "Be brief.")
        let assistant = ChatMessage(role: "assistant", content: "Hello!")
        #expect(template.render([system, user, assistant, user]) == """
            <|im_start|>system
            Be brief.<|im_end|>
            <|im_start|>user
            Hi<|im_end|>
            <|im_start|>assistant
            Hello!<|im_end|>
            <|im_start|>user
            Hi<|im_end|>
            <|im_start|>assistant

            """)
    }

    @Test func tinyModelTemplateIsSmolLMs() throws {
        let model = try RealModel.load()
        #expect(model.file.metadata["tokenizer.chat_template"]?.stringValue == TinyModel.chatTemplate)
    }

    @Test func unrecognizedTemplatesThrowNamingThem() {
        #expect(throws: EngineError.unsupportedChatTemplate("{% for m in messages %}[INST]{% endfor %}")) {
            try ChatTemplate(template: "{% for m in messages %}[INST]{% endfor %}")
        }
        #expect(throws: EngineError.self) { try ChatTemplate(template: nil) }
    }

    @Test func plainChatMLHasNoDefaultSystemPrompt() throws {
        let chatML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
        #expect(try ChatTemplate(template: chatML).defaultSystemPrompt == nil)
    }
}
