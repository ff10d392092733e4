import Serving
import Testing

@Suite struct StudentShareHistoryTests {
    @Test func requestsFallInEqualSpansFromTheOldestToTheNewest() {
        // 0 … 240 s in 24 spans would be 10 s wide; the minimum width makes them 60 s: 5 spans.
        let served = [(0.0, false), (30, false), (59, true), (60, true), (61, true), (239, true), (240, false)]
            .map { (createdAt: $0.0, student: $0.1) }
        let buckets = StudentShareHistory.buckets(served.reversed())
        #expect(buckets.map(\.start) == [0, 60, 120, 180, 240])
        #expect(buckets.map(\.total) == [3, 2, 0, 1, 1] && buckets.map(\.student) == [1, 2, 0, 1, 0])
        #expect(buckets.reduce(0) { $0 + $1.total } == served.count)
        // A long history uses `count` spans, the newest request in the last.
        let day = (0...1440).map { (createdAt: Double($0) * 60, student: $0 % 2 == 0) }
        let hours = StudentShareHistory.buckets(day, count: 24)
        #expect(hours.count == 24 && hours.reduce(0) { $0 + $1.total } == day.count && hours[0].total == 60)
        #expect(StudentShareHistory.buckets([]).isEmpty)
    }
}
