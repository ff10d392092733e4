import Serving
import Testing

@Suite struct PairwiseJudgePromptTests {
    static func prompt(studentFirst: Bool) -> PairwiseJudgePrompt {
        PairwiseJudgePrompt(conversation: "user: 2+2?", student: "four", teacher: "4", studentFirst: studentFirst)
    }

    @Test func theStudentsPositionFollowsTheCoin() {
        let first = Self.prompt(studentFirst: true).userMessage
        #expect(first.contains("[Answer A]\nfour") && first.contains("[Answer B]\n4"))
        let second = Self.prompt(studentFirst: false).userMessage
        #expect(second.contains("[Answer A]\n4") && second.contains("[Answer B]\nfour"))
        #expect(first.hasPrefix("[Conversation]\nuser: 2+2?"))
    }

    @Test func verdictsMapBackToTheStudent() {
        let first = Self.prompt(studentFirst: true), second = Self.prompt(studentFirst: false)
        #expect(first.judgment(fromReply: "A") == .win && second.judgment(fromReply: "A") == .loss)
        #expect(first.judgment(fromReply: " b.") == .loss && second.judgment(fromReply: "B\nbecause") == .win)
        #expect(first.judgment(fromReply: "Tie") == .tie && second.judgment(fromReply: "TIE!") == .tie)
        #expect(first.judgment(fromReply: "Both are fine") == nil && first.judgment(fromReply: "") == nil)
    }

    @Test func identicalAnswersTieWithoutAsking() {
        let same = PairwiseJudgePrompt(conversation: "c", student: "Paris ", teacher: "paris", studentFirst: true)
        #expect(same.shortcut == .tie && Self.prompt(studentFirst: true).shortcut == nil)
        #expect(PairwiseJudgePrompt.system.contains("A, B or TIE"))
    }
}
