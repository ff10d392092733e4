import ChatAPI

/// A curated SFT example as the corpus gives it: plain-text prompt messages and the
/// answer to learn (the teacher's, or the latest human demonstration).
public struct TrainingConversation: Sendable, Equatable {
    /// The exchange it comes from.
    public var exchangeID: String
    /// `(role, content)` of each prompt message, text only.
    public var messages: [(role: String, content: String)]
    /// The answer text.
    public var completion: String
    /// The teacher's token log-probabilities of exactly `completion`, when they were captured
    /// and the answer is the teacher's (not a demonstration): the targets of logprob distillation.
    public var teacherLogprobs: TokenLogprobs?

    /// A conversation.
    public init(exchangeID: String, messages: [(role: String, content: String)], completion: String,
                teacherLogprobs: TokenLogprobs? = nil) {
        self.exchangeID = exchangeID
        self.messages = messages
        self.completion = completion
        self.teacherLogprobs = teacherLogprobs
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.exchangeID == b.exchangeID && a.completion == b.completion && a.teacherLogprobs == b.teacherLogprobs
            && a.messages.count == b.messages.count
            && zip(a.messages, b.messages).allSatisfy { $0.role == $1.role && $0.content == $1.content }
    }

    /// The text of a message's `content`: a string, or the text parts of an array;
    /// nil for anything the student cannot take (images, tool calls, tool results).
    static func text(of message: JSONValue) -> (role: String, content: String)? {
        guard let role = message["role"]?.stringValue, role != "tool", message["tool_calls"] == nil else { return nil }
        if let content = message["content"]?.stringValue { return (role, content) }
        guard let parts = message["content"]?.arrayValue else { return nil }
        var text = ""
        for part in parts {
            guard part["type"]?.stringValue == "text", let piece = part["text"]?.stringValue else { return nil }
            text += piece
        }
        return (role, text)
    }
}

/// A preference pair as the corpus gives it, with its provenance.
public struct TrainingPreference: Sendable, Equatable {
    /// The `preference_pairs` row id.
    public var pairID: Int
    /// Where it came from: `pairwise`, `choices`, `demonstration`, `rating` (people), or
    /// `ai_feedback` (the teacher judging a student answer against its own).
    public var source: String
    /// The feedback row that produced it.
    public var feedbackID: String
    /// The exchanges of each side.
    public var chosenExchangeID: String, rejectedExchangeID: String
    /// The shared prompt and both answers.
    public var conversation: TrainingConversation
    /// The dispreferred answer (the conversation's `completion` is the preferred one).
    public var rejected: String

    /// A preference.
    public init(pairID: Int, source: String, feedbackID: String, chosenExchangeID: String, rejectedExchangeID: String,
                conversation: TrainingConversation, rejected: String) {
        self.pairID = pairID
        self.source = source
        self.feedbackID = feedbackID
        self.chosenExchangeID = chosenExchangeID
        self.rejectedExchangeID = rejectedExchangeID
        self.conversation = conversation
        self.rejected = rejected
    }
}
