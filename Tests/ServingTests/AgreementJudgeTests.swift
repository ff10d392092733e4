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

    @Test func eachAnswerMatchRuleDecidesAsDocumented() throws {
        let judge = try AgreementJudge(minimumF1: 0.8)
        let near = (student: "Order 48213 was shipped from our Leipzig warehouse.",
                    teacher: "Order 48213 was shipped from our Rotterdam warehouse.")  // F1 7/8: a wrong fact
        #expect(judge.agrees(student: near.student, teacher: near.teacher, wantsJSON: false, match: .tokenF1))
        #expect(judge.agrees(student: near.student, teacher: near.teacher, wantsJSON: false, match: .auto))
        #expect(!judge.agrees(student: near.student, teacher: near.teacher, wantsJSON: false, match: .exact))
        #expect(judge.judge(student: near.student, teacher: near.teacher, match: .exact) == .loss)
        #expect(judge.agrees(student: " ORDER 48213 was shipped from our rotterdam warehouse. ", teacher: near.teacher,
                             wantsJSON: false, match: .exact))
        // auto compares whole answers where JSON was asked for, and short answers.
        #expect(!judge.agrees(student: #"{"a": 1, "b": 2, "c": 3, "d": 5}"#, teacher: #"{"a": 1, "b": 2, "c": 3, "d": 4}"#,
                              wantsJSON: true, match: .auto))
        #expect(!judge.agrees(student: "a b c d", teacher: "a b c e", wantsJSON: false, match: .auto))
        #expect(judge.agrees(student: "a b c d", teacher: "a b c e", wantsJSON: false, match: .tokenF1) == false)  // F1 0.75
        #expect(judge.agrees(student: "a b c d e f", teacher: "a b c d e g", wantsJSON: false, match: .auto))  // F1 0.83
    }
}
