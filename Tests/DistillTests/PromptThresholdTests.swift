import Testing

@testable import Distill

/// The ex-ante rule's threshold keeps the good prompts it must and sits in the middle of the gap below them.
@Suite struct PromptThresholdTests {
    @Test func theRecallThresholdKeepsTheGoodPromptsWithAMargin() {
        // Good prompts score 0.9 … 0.95, bad ones at most 0.3: the gap is (0.3, 0.9).
        let scores = [0.95, 0.92, 0.9, 0.3, 0.1], labels = [true, true, true, false, false]
        let threshold = StudentRouter.recallThreshold(scores: scores, labels: labels, maximumLoss: 0.02)
        #expect(abs(threshold - 0.6) < 1e-12)
        // A loss budget of one good prompt in three keeps the two best: between 0.92 and 0.9.
        #expect(abs(StudentRouter.recallThreshold(scores: scores, labels: labels, maximumLoss: 0.34) - 0.91) < 1e-12)
        #expect(StudentRouter.recallThreshold(scores: [0.4], labels: [false], maximumLoss: 0.02) == 0)
    }
}
