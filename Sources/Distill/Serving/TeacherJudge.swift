import ChatAPI
import Foundation
import Serving
import Teacher

/// The optional pairwise judge of `retort eval --judge`: asks the teacher which of two
/// answers is better with ``PairwiseJudgePrompt`` (random order, ties allowed).
///
/// - Warning: the teacher judging its own answers favours them (distillation.md §12); a
///   tie-or-better rate from this judge is a floor, not proof of parity.
public final class TeacherJudge: PairwiseJudging, @unchecked Sendable {
    // @unchecked: `generator` is guarded by `lock`.
    private let lock = NSLock()
    private var generator: SplitMix64
    private let client: TeacherClient
    private let model: String

    /// A judge asking `model` through `client`; `seed` fixes the order coin.
    public init(client: TeacherClient, model: String, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.client = client
        self.model = model
        generator = SplitMix64(seed: seed)
    }


    /// The student's judgment against the teacher on `request`, asking `model` (the judge's
    /// own when nil); nil when the judge gave no usable verdict (the row then counts for the
    /// other scores only).
    public func judge(_ request: ChatRequest, student: String, teacher: String, model: String? = nil) async -> Judgment? {
        let studentFirst = lock.withLock { generator.nextUnit() < 0.5 }
        let conversation = request.messages.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        let prompt = PairwiseJudgePrompt(conversation: conversation, student: student, teacher: teacher, studentFirst: studentFirst)
        if let shortcut = prompt.shortcut { return shortcut }
        let body: JSONValue = .object([
            ("model", .string(model ?? self.model)), ("temperature", .int(0)), ("max_tokens", .int(4)),
            ("messages", .array([
                .object([("role", .string("system")), ("content", .string(PairwiseJudgePrompt.system))]),
                .object([("role", .string("user")), ("content", .string(prompt.userMessage))]),
            ])),
        ])
        let upstream = TeacherRequest(path: "/chat/completions", headers: [("Content-Type", "application/json")], body: body.serialized())
        guard let response = try? await client.send(upstream), response.status == 200,
              let bytes = try? await response.body.collect(upTo: 1 << 20),
              let reply = ShadowRun.answerText(try? JSONValue.parse(bytes))
        else { return nil }
        return prompt.judgment(fromReply: reply)
    }
}
