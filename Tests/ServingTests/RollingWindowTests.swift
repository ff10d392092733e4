import Serving
import Testing

@Suite struct RollingWindowTests {
    @Test func anEmptyWindowHasNothing() {
        let window = RollingWindow<Int>(capacity: 3, duration: 10)
        #expect(window.values(at: 0).isEmpty)
        let summary = OutcomeWindow(capacity: 5, duration: nil).summary(at: 0)
        #expect(summary.requests == 0 && summary.fallbackRate == nil)
        #expect(summary.ratings.downRate == nil && summary.judged.winRate == nil)
    }

    @Test func keepsTheNewestByCount() {
        var window = RollingWindow<Int>(capacity: 3)
        for value in 1...5 { window.append(value, at: Double(value)) }
        #expect(window.values(at: 1_000_000) == [3, 4, 5])
        #expect(RollingWindow<Int>(capacity: 0).capacity == 1)
    }

    @Test func forgetsValuesAsTheClockMovesPastTheWindow() {
        var window = RollingWindow<String>(capacity: 10, duration: 60)
        window.append("a", at: 0)
        window.append("b", at: 30)
        #expect(window.values(at: 59.9) == ["a", "b"])
        #expect(window.values(at: 60) == ["b"], "an entry exactly `duration` old is out")
        #expect(window.values(at: 90) == [])
        window.removeAll()
        #expect(window.values(at: 30).isEmpty)
    }

    @Test func outcomeWindowSummarizesEachKind() {
        var window = OutcomeWindow(capacity: 3, duration: nil)
        for index in 0..<5 { window.recordRequest(fellBack: index == 4, at: Double(index)) }
        window.recordRating(.up, at: 0)
        window.recordRating(.down, at: 1)
        window.recordJudgment(.win, at: 2)
        let summary = window.summary(at: 10)
        #expect(summary.requests == 3 && summary.fallbacks == 1, "requests keep their own capacity")
        #expect(summary.ratings == RatingCounts(up: 1, down: 1), "ratings are not pushed out by requests")
        #expect(summary.judged == JudgedOutcomes(wins: 1))
        #expect(abs(summary.fallbackRate! - 1.0 / 3) < 1e-12)
    }
}
