import Foundation

/// The student model as the gateway uses it: a GGUF Llama model with its tokenizer and
/// chat template, loaded once and shared read-only. Each `generate` call runs in its
/// own session, so concurrent calls are safe.
public final class StudentModel: Sendable {
    /// The memory-mapped model file.
    public let file: GGUFFile
    /// The network and its weights.
    public let model: LlamaModel
    /// The tokenizer from the file's metadata.
    public let tokenizer: BPETokenizer
    /// The recognized chat template, or the error explaining why it was not recognized.
    public let chatTemplate: Result<ChatTemplate, EngineError>
    /// `general.name` from the file, or the file name.
    public let modelName: String
    /// The vocabulary by bytes, for constrained decoding (built at the first use).
    public var tokenTrie: TokenTrie { trieCache.get { TokenTrie(tokenizer: tokenizer) } }
    private let trieCache = Once<TokenTrie>()

    /// The model's context length in tokens (prompt plus completion).
    public var contextLength: Int { model.config.contextLength }

    /// Loads the GGUF model at `path`.
    /// - Parameters:
    ///   - threads: worker threads for the matrix kernels
    ///   - decodeWeights: the weight format decode multiplies by (`auto`: chosen for the file)
    /// - Throws: `EngineError` naming what is wrong with the file.
    public init(path: String, threads: Int = 2, decodeWeights: DecodeWeights = .auto) throws {
        file = try GGUFFile(path: path)
        model = try LlamaModel(file: file, threads: threads, decodeWeights: decodeWeights)
        tokenizer = try BPETokenizer(metadata: file.metadata)
        guard tokenizer.count == model.config.vocabularySize else {
            throw EngineError.invalidTensor(
                name: "token_embd.weight",
                reason: "\(model.config.vocabularySize) rows, but the tokenizer has \(tokenizer.count) tokens")
        }
        let template = file.metadata["tokenizer.chat_template"]?.stringValue
        chatTemplate = Result {
            do { return try ChatTemplate(template: template) } catch let error as EngineError { throw error }
        }.mapError { $0 as? EngineError ?? .unsupportedChatTemplate("\($0)") }
        modelName = file.metadata["general.name"]?.stringValue
            ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// The prompt for `messages` through the chat template, tokenized.
    /// - Throws: `EngineError.unsupportedChatTemplate` when the model's template is unknown.
    public func promptTokens(for messages: [ChatMessage]) throws -> [Int32] {
        tokenizer.encode(try chatTemplate.get().fragments(for: messages))
    }

    /// Generates the assistant's reply to `messages`.
    /// - Parameter onToken: called on the calling thread for each token as it is
    ///   produced; return `false` to stop (e.g. the client went away).
    /// - Warning: runs synchronously for the whole generation and uses the kernel threads
    ///   (OpenBLAS and Dispatch workers); call it from a dedicated thread or queue, not
    ///   from a Swift-concurrency task on the cooperative pool or an event loop.
    /// - Throws: `EngineError.invalidParameter` for bad options, `.promptTooLong` when the
    ///   prompt leaves no room for a token, `.unsupportedChatTemplate`.
    public func generate(messages: [ChatMessage], options: GenerationOptions,
                         onToken: (GeneratedToken) -> Bool = { _ in true }) throws -> GenerationResult {
        try options.validate()
        return try generate(promptTokens: try promptTokens(for: messages), options: options, onToken: onToken)
    }
}

/// A value computed once, at its first use, by whichever thread gets there first.
final class Once<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value: Value?

    func get(_ make: () -> Value) -> Value {
        lock.withLock {
            if let value { return value }
            let made = make()
            value = made
            return made
        }
    }
}
