/// The one error type of the `Engine` module.
///
/// Every case carries enough context to tell a user what went wrong without a debugger:
/// the file, the key, the tensor or the parameter at fault.
public enum EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model file could not be opened or mapped.
    case fileUnreadable(path: String, reason: String)
    /// The GGUF file is malformed: bad magic, truncated, or a field out of range.
    case invalidGGUF(String)
    /// A metadata key the model needs is missing or has the wrong type.
    case missingMetadata(key: String)
    /// A tensor the model needs is missing, or its shape or type does not fit.
    case invalidTensor(name: String, reason: String)
    /// The file uses a quantization type this engine cannot read.
    case unsupportedTensorType(name: String, typeID: UInt32)
    /// The model's architecture is not one the engine implements.
    case unsupportedArchitecture(String)
    /// The tokenizer described in the file is not supported.
    case unsupportedTokenizer(String)
    /// The model's chat template is not one the engine recognizes.
    case unsupportedChatTemplate(String)
    /// The prompt plus at least one generated token does not fit the context window.
    case promptTooLong(promptTokens: Int, contextLength: Int)
    /// A sampling or generation parameter is out of range; `parameter` names it.
    case invalidParameter(parameter: String, reason: String)

    /// A human-readable explanation, suitable for an API error message.
    public var description: String {
        switch self {
        case let .fileUnreadable(path, reason): return "cannot read model file \(path): \(reason)"
        case let .invalidGGUF(reason): return "invalid GGUF file: \(reason)"
        case let .missingMetadata(key): return "GGUF metadata key '\(key)' is missing or has the wrong type"
        case let .invalidTensor(name, reason): return "tensor '\(name)': \(reason)"
        case let .unsupportedTensorType(name, typeID):
            return "tensor '\(name)' has unsupported ggml type id \(typeID)"
        case let .unsupportedArchitecture(arch): return "unsupported model architecture '\(arch)'"
        case let .unsupportedTokenizer(model): return "unsupported tokenizer '\(model)'"
        case let .unsupportedChatTemplate(template):
            return "unrecognized chat template (the engine knows ChatML): \(template.prefix(120))"
        case let .promptTooLong(promptTokens, contextLength):
            return "the prompt has \(promptTokens) tokens, but the model's context length is \(contextLength) tokens"
        case let .invalidParameter(parameter, reason): return "invalid '\(parameter)': \(reason)"
        }
    }
}
