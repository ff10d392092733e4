/// The pairwise judge's prompt and the reading of its verdict (distillation.md §12: random
/// order, ties allowed, identical answers tie without asking).
///
/// The judge sees the conversation and two answers labelled A and B; which of them is the
/// student's is decided by a coin the caller passes in (`studentFirst`), so position bias
/// averages out. It must reply with exactly one of `A`, `B` or `TIE`.
///
/// The system prompt, verbatim:
///
///     You are an impartial judge comparing two answers to the same conversation.
///     Judge which answer better serves the user: correct, complete, following every
///     instruction and format the user asked for, and no longer than needed. Ignore which
///     answer comes first and how long it is. If they are equally good (or equally bad),
///     say TIE. Reply with exactly one word: A, B or TIE.
public struct PairwiseJudgePrompt: Sendable, Hashable {
    /// The judge's instructions (see the type's summary).
    public static let system = """
        You are an impartial judge comparing two answers to the same conversation. \
        Judge which answer better serves the user: correct, complete, following every instruction and format \
        the user asked for, and no longer than needed. Ignore which answer comes first and how long it is. \
        If they are equally good (or equally bad), say TIE. Reply with exactly one word: A, B or TIE.
        """

    /// The conversation judged, as `role: text` lines.
    public var conversation: String
    /// The student's answer.
    public var student: String
    /// The teacher's answer.
    public var teacher: String
    /// Whether the student's answer is shown as A.
    public var studentFirst: Bool

    /// A judgment request.
    public init(conversation: String, student: String, teacher: String, studentFirst: Bool) {
        self.conversation = conversation
        self.student = student
        self.teacher = teacher
        self.studentFirst = studentFirst
    }

    /// The verdict without asking, when the answers are identical after normalization.
    public var shortcut: Judgment? {
        TextScoring.exactMatch(student, teacher) ? .tie : nil
    }

    /// The user message: the conversation, then answers A and B.
    public var userMessage: String {
        let (first, second) = studentFirst ? (student, teacher) : (teacher, student)
        return "[Conversation]\n\(conversation)\n\n[Answer A]\n\(first)\n\n[Answer B]\n\(second)\n\n"
            + "Which answer is better? Reply A, B or TIE."
    }

    /// The judgment the reply gives the student, or nil when the reply is none of A, B, TIE.
    /// Reads the first word, ignoring case and surrounding punctuation.
    public func judgment(fromReply reply: String) -> Judgment? {
        let word = reply.split(whereSeparator: { $0.isWhitespace }).first.map {
            $0.uppercased().filter { $0.isLetter }
        }
        switch word {
        case "TIE": return .tie
        case "A": return studentFirst ? .win : .loss
        case "B": return studentFirst ? .loss : .win
        default: return nil
        }
    }
}
