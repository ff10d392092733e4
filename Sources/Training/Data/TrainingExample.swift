import struct ChatAPI.TokenLogprobs
import Engine

/// One supervised example: a conversation up to the teacher's turn and the teacher's
/// answer (the prompt-completion format of facts/distillation.md §11.1: only the final
/// assistant turn is a label).
public struct SFTExample: Sendable, Equatable {
    /// Where it came from (the exchange id), for provenance and the data snapshot.
    public var id: String
    /// The messages before the answer, as sent to the teacher.
    public var messages: [ChatMessage]
    /// The answer to learn (the teacher's, or a human demonstration).
    public var completion: String
    /// The teacher's token log-probabilities of exactly `completion`, when captured: the
    /// positions they align with are distilled (``SparseDistillation``).
    public var teacherLogprobs: TokenLogprobs?

    /// An example.
    public init(id: String, messages: [ChatMessage], completion: String, teacherLogprobs: TokenLogprobs? = nil) {
        self.id = id
        self.messages = messages
        self.completion = completion
        self.teacherLogprobs = teacherLogprobs
    }
}

/// One preference: the same prompt with a preferred and a dispreferred answer (DPO).
public struct PreferenceExample: Sendable, Equatable {
    /// Where it came from (the preference pair id), for provenance.
    public var id: String
    /// The shared prompt messages.
    public var messages: [ChatMessage]
    /// The preferred answer.
    public var chosen: String
    /// The dispreferred answer.
    public var rejected: String

    /// A preference example.
    public init(id: String, messages: [ChatMessage], chosen: String, rejected: String) {
        self.id = id
        self.messages = messages
        self.chosen = chosen
        self.rejected = rejected
    }
}
