import Serving
import Testing

@Suite struct AgreementJudgeTests {
    @Test func identicalAfterNormalizationIsATie() throws {
        let judge = try AgreementJudge(minimumF1: 1)
        #expect(judge.judge(student: "  Paris  IS nice", teacher: "paris is nice") == .tie)
    }

    @Test func closeAnswersTieAndDistantOnesLose() throws {
        let judge = try AgreementJudge(minimumF1: 0.8)
        // 4 of 5 tokens shared both ways: F1 = 0.8, exactly the threshold.
        #expect(judge.judge(student: "a b c d e", teacher: "a b c d f") == .tie)
        // 3 of 5: F1 = 0.6.
        #expect(judge.judge(student: "a b c x y", teacher: "a b c d e") == .loss)
        #expect(judge.judge(student: "", teacher: "something") == .loss)
    }

    @Test func neverJudgesAWin() throws {
        let judge = try AgreementJudge(minimumF1: 0)
        #expect(judge.judge(student: "anything", teacher: "else") == .tie)
    }

    @Test func rejectsThresholdsOutsideTheUnitInterval() {
        #expect(throws: ServingError.self) { try AgreementJudge(minimumF1: 1.5) }
        #expect(throws: ServingError.self) { try AgreementJudge(minimumF1: -0.1) }
        #expect(throws: ServingError.self) { try AgreementJudge(minimumF1: .nan) }
    }
}
