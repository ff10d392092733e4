import Engine

/// Turns conversations into training sequences with the exact chat template and tokenizer
/// that serving uses (facts/distillation.md §11.1):
///
///     prompt     = tokenize(template.fragments(messages))   // what `StudentModel` feeds
///     completion = tokenize(answer) + [<|im_end|>]
///     tokens     = (prompt + completion)[0 ..< n−1],  targets = (prompt + completion)[1 ..< n]
///
/// Targets are `CrossEntropy.ignored` wherever the next token belongs to the prompt, so
/// the loss covers exactly the answer and its end-of-turn token, which teaches the student
/// to stop. The serving prompt is a prefix of every sequence by construction.
public struct SequenceEncoder: Sendable {
    /// Default maximum sequence length in tokens (prompt plus answer).
    public static let defaultMaxLength = 512

    /// The student's tokenizer.
    public let tokenizer: BPETokenizer
    /// The student's chat template.
    public let template: ChatTemplate
    /// Longest sequence (prompt plus answer plus end token) kept.
    public let maxLength: Int
    /// What happens to longer examples.
    public let overlongPolicy: OverlongPolicy
    /// The token that ends an assistant turn (`<|im_end|>`, else the tokenizer's eos).
    public let endOfTurn: Int32

    /// An encoder; throws when `maxLength` leaves no room for a prompt and an answer token.
    public init(tokenizer: BPETokenizer, template: ChatTemplate, maxLength: Int = defaultMaxLength,
                overlongPolicy: OverlongPolicy = .skip) throws {
        guard maxLength >= 2 else { throw TrainingError.invalidConfiguration("maxLength must be ≥ 2, got \(maxLength)") }
        self.tokenizer = tokenizer
        self.template = template
        self.maxLength = maxLength
        self.overlongPolicy = overlongPolicy
        endOfTurn = tokenizer.id(of: "<|im_end|>") ?? tokenizer.eosID
    }

    /// The serving prompt of `messages`, ending with the assistant generation prompt.
    public func promptTokens(_ messages: [ChatMessage]) -> [Int32] {
        tokenizer.encode(template.fragments(for: messages))
    }

    /// The answer's tokens followed by the end-of-turn token (control markers typed in the
    /// answer stay plain text, as in the prompt).
    public func completionTokens(_ answer: String) -> [Int32] {
        tokenizer.encode(answer, parseSpecial: false) + [endOfTurn]
    }

    /// Encodes one SFT example, or says why it was left out.
    public func encode(_ example: SFTExample) -> Result<EncodedExample, SkipReason> {
        guard !example.completion.isEmpty else { return .failure(.emptyCompletion) }
        let prompt = promptTokens(example.messages)
        var completion = completionTokens(example.completion)
        var truncated = false
        if prompt.count + completion.count > maxLength {
            let room = maxLength - prompt.count
            guard overlongPolicy == .truncateCompletion, room >= 1 else { return .failure(.tooLong) }
            completion.removeLast(completion.count - room)
            truncated = true
        }
        var sequence = Self.sequence(prompt: prompt, completion: completion)
        if let logprobs = example.teacherLogprobs {
            sequence.teacher = teacherTargets(logprobs, completion: completion, firstTarget: prompt.count - 1)
        }
        return .success(EncodedExample(id: example.id, sequence: sequence, promptTokens: prompt.count,
                                       completionTokens: completion.count, truncated: truncated))
    }

    /// Encodes a preference pair: both answers after the same prompt tokens. Pairs are never
    /// truncated (a cut answer would change which one is better); too long means skipped.
    public func encode(_ pair: PreferenceExample) -> Result<EncodedPair, SkipReason> {
        guard !pair.chosen.isEmpty, !pair.rejected.isEmpty else { return .failure(.emptyCompletion) }
        guard pair.chosen != pair.rejected else { return .failure(.identicalPair) }
        let prompt = promptTokens(pair.messages)
        let chosen = completionTokens(pair.chosen), rejected = completionTokens(pair.rejected)
        guard prompt.count + max(chosen.count, rejected.count) <= maxLength else { return .failure(.tooLong) }
        return .success(EncodedPair(id: pair.id, chosen: Self.sequence(prompt: prompt, completion: chosen),
                                    rejected: Self.sequence(prompt: prompt, completion: rejected),
                                    promptTokens: prompt.count))
    }

    /// Shifts `prompt + completion` into inputs and next-token targets, masking every target
    /// that is a prompt token.
    /// - Returns: tokens (n − 1) and targets (n − 1), n = prompt + completion tokens
    static func sequence(prompt: [Int32], completion: [Int32]) -> TrainingSequence {
        let all = prompt + completion
        let inputs = Array(all.dropLast())
        var targets = Array(all.dropFirst())
        for index in 0..<max(0, prompt.count - 1) { targets[index] = CrossEntropy.ignored }
        return TrainingSequence(tokens: inputs, targets: targets)
    }
}
