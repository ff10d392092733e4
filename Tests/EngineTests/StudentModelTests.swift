import Engine
import Foundation
import Testing
import TestSupport

/// The high-level generation API on the tiny random model.
@Suite struct StudentModelTests {
    static let path: String = (try? TinyModel.write(seed: 3)) ?? ""
    static let model: Result<StudentModel, Error> = Result { try StudentModel(path: path, threads: 2) }
    static let messages = [ChatMessage(role: "user", content: "Say something.")]

    private func load() throws -> StudentModel { try Self.model.get() }

    @Test func metadata() throws {
        let model = try load()
        #expect(model.modelName == TinyModel.name)
        #expect(model.contextLength == 256)
        #expect(try model.chatTemplate.get().defaultSystemPrompt == ChatTemplate.smolLMSystemPrompt)
    }

    @Test func seededSamplingIsDeterministic() throws {
        let model = try load()
        let options = GenerationOptions(temperature: 1.2, topP: 0.95, topK: 50, seed: 1234, maxTokens: 24)
        let first = try model.generate(messages: Self.messages, options: options)
        let second = try model.generate(messages: Self.messages, options: options)
        #expect(first == second)
        var other = options
        other.seed = 99
        #expect(try model.generate(messages: Self.messages, options: other).tokens.map(\.tokenID)
            != first.tokens.map(\.tokenID))
    }

    @Test func maxTokensEndsWithLength() throws {
        let model = try load()
        // Forbid the end-of-turn token's influence by sampling with a seed that runs long.
        let result = try model.generate(messages: Self.messages, options: GenerationOptions(temperature: 0, maxTokens: 5))
        #expect(result.completionTokens <= 5)
        if result.completionTokens == 5, result.tokens.count == 5 { #expect(result.finishReason == .length) }
        #expect(result.promptTokens == (try model.promptTokens(for: Self.messages)).count)
    }

    @Test func streamedTextEqualsResultText() throws {
        let model = try load()
        var streamed = ""
        let result = try model.generate(messages: Self.messages, options: GenerationOptions(seed: 5, maxTokens: 40)) {
            streamed += $0.text
            return true
        }
        #expect(streamed == result.text)
        #expect(!streamed.contains("\u{FFFD}") || result.text.contains("\u{FFFD}"))
    }

    @Test func afterPrefillSeesThePromptStateAndCanDeclineBeforeAnyToken() throws {
        let model = try load()
        let prompt = try model.promptTokens(for: Self.messages)
        var seen: [Float] = []
        var tokens = 0
        let declined = try model.generate(promptTokens: prompt, options: GenerationOptions(seed: 1, maxTokens: 8),
                                          onToken: { _ in tokens += 1; return true },
                                          afterPrefill: { seen = $0; return false })
        #expect(declined.declined && declined.tokens.isEmpty && tokens == 0 && declined.completionTokens == 0)
        #expect(seen.count == TinyModel.config.channels && seen.allSatisfy(\.isFinite))
        // A trailing closure is the token callback, whatever else has defaults.
        let served = try model.generate(promptTokens: prompt, options: GenerationOptions(seed: 1, maxTokens: 8)) { _ in
            tokens += 1
            return true
        }
        #expect(!served.declined && tokens >= served.tokens.count && tokens > 0)  // a held-back tail comes as one more piece
        // The state is the final-norm hidden state the LM head reads: the same prompt gives the same one.
        var again: [Float] = []
        _ = try model.generate(promptTokens: prompt, options: GenerationOptions(maxTokens: 1), afterPrefill: { again = $0; return false })
        #expect(again == seen)
    }

    @Test func cancellationStopsGeneration() throws {
        let model = try load()
        var calls = 0
        let result = try model.generate(messages: Self.messages, options: GenerationOptions(seed: 8, maxTokens: 50)) { _ in
            calls += 1
            return calls < 3
        }
        #expect(calls == min(3, result.tokens.count))
        #expect(result.tokens.count <= 3)
        if calls == 3 { #expect(result.cancelled) }
    }

    @Test func stopSequenceCutsText() throws {
        let model = try load()
        let options = GenerationOptions(temperature: 0, maxTokens: 30)
        let free = try model.generate(messages: Self.messages, options: options)
        guard free.text.count >= 6 else { return }
        // Stop at a piece of the greedy text: the result must end right before it.
        let start = free.text.index(free.text.startIndex, offsetBy: 3)
        let stop = String(free.text[start...].prefix(2))
        var stopped = options
        stopped.stop = [stop]
        let result = try model.generate(messages: Self.messages, options: stopped)
        let expected = free.text.components(separatedBy: stop)[0]
        #expect(result.text == expected)
        #expect(result.finishReason == .stop)
    }

    @Test func logprobs() throws {
        let model = try load()
        let options = GenerationOptions(temperature: 0, maxTokens: 6, logprobs: true, topLogprobs: 3)
        let result = try model.generate(messages: Self.messages, options: options)
        for token in result.tokens {
            let logprob = try #require(token.logprob)
            #expect(logprob.logprob <= 0)
            #expect(token.topLogprobs.count == 3)
            // Greedy: the chosen token is the most likely one.
            #expect(token.topLogprobs.first?.tokenID == token.tokenID)
            #expect(abs((token.topLogprobs.first?.logprob ?? 0) - logprob.logprob) < 1e-6)
            #expect(token.topLogprobs.map(\.logprob) == token.topLogprobs.map(\.logprob).sorted(by: >))
        }
    }

    @Test func promptTooLongNamesTheLimit() throws {
        let model = try load()
        let long = [ChatMessage(role: "user", content: String(repeating: "x ", count: 300))]
        do {
            _ = try model.generate(messages: long, options: .greedy)
            Issue.record("expected promptTooLong")
        } catch let error as EngineError {
            guard case let .promptTooLong(_, contextLength) = error else { throw error }
            #expect(contextLength == 256)
            #expect(error.description.contains("256"))
        }
    }

    @Test(arguments: [
        (GenerationOptions(temperature: -0.1), "temperature"), (GenerationOptions(temperature: 2.5), "temperature"),
        (GenerationOptions(topP: 0), "top_p"), (GenerationOptions(topP: 1.5), "top_p"),
        (GenerationOptions(topK: -1), "top_k"), (GenerationOptions(maxTokens: 0), "max_tokens"),
        (GenerationOptions(stop: ["a", "b", "c", "d", "e"]), "stop"), (GenerationOptions(stop: [""]), "stop"),
        (GenerationOptions(logprobs: true, topLogprobs: 21), "top_logprobs"),
        (GenerationOptions(topLogprobs: 2), "top_logprobs"),
    ])
    func invalidOptionsNameTheParameter(options: GenerationOptions, parameter: String) throws {
        let model = try load()
        do {
            _ = try model.generate(messages: Self.messages, options: options)
            Issue.record("expected a validation error for \(parameter)")
        } catch let EngineError.invalidParameter(name, _) {
            #expect(name == parameter)
        }
    }

    @Test func unknownTemplateIsNamed() throws {
        let path = try TinyModel.write(chatTemplate: "{{ bos_token }}[INST] {{ message }} [/INST]")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try StudentModel(path: path, threads: 1)
        do {
            _ = try model.promptTokens(for: Self.messages)
            Issue.record("expected unsupportedChatTemplate")
        } catch let error as EngineError {
            #expect(error.description.contains("[INST]"))
        }
    }

    @Test func concurrentGenerationsAreIndependent() async throws {
        let model = try load()
        let options = GenerationOptions(temperature: 0.8, seed: 42, maxTokens: 16)
        let expected = try model.generate(messages: Self.messages, options: options)
        let results = try await withThrowingTaskGroup(of: GenerationResult.self) { group in
            for _ in 0..<4 { group.addTask { try model.generate(messages: Self.messages, options: options) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for result in results { #expect(result == expected) }
    }
}
