import ChatAPI
import Corpus
import Distill
import Foundation
import Serving
import Teacher
import TestSupport
import Testing

/// Expansion on a schedule: the policy's decision on given counts and times, the route
/// setting's checks, and the scheduler starting real jobs against a mock teacher on a
/// corpus, with the clock moved by hand.
@Suite struct ExpansionScheduleTests {
    static func settings(count: Int = 100, minLogged: Int = 20, perLogged: Double = 7, total: Int = 1000) -> ExpansionScheduleSettings {
        var settings = ExpansionScheduleSettings(enabled: true, count: count, everyHours: 24)
        settings.minLogged = minLogged
        settings.maxPerLogged = perLogged
        settings.maxTotal = total
        return settings
    }

    @Test func aJobIsDueOnEnoughRealDataAndBelowBothCaps() {
        let policy = ExpansionPolicy(settings: Self.settings())
        let now = 1_800_000_000.0
        #expect(ExpansionPolicy(settings: ExpansionScheduleSettings()).due(.init(now: now, logged: 500, expanded: 0)) == nil)  // off
        #expect(policy.due(.init(now: now, logged: 19, expanded: 0)) == nil)         // too little to imitate
        #expect(policy.due(.init(now: now, logged: 20, expanded: 0)) == 100)
        #expect(policy.due(.init(now: now, logged: 20, expanded: 90)) == 50)         // 7 per logged: 140 in all
        #expect(policy.due(.init(now: now, logged: 20, expanded: 140)) == nil)
        #expect(ExpansionPolicy(settings: Self.settings(total: 120)).due(.init(now: now, logged: 40, expanded: 100)) == 20)
        #expect(policy.due(.init(now: now, logged: 40, expanded: 0, running: true)) == nil)
    }

    @Test func aJobWaitsAnIntervalAfterTheLastExpansionAndTheLastStart() {
        let policy = ExpansionPolicy(settings: Self.settings())
        let now = 1_800_000_000.0, day = 86_400.0
        #expect(policy.due(.init(now: now, logged: 40, expanded: 100, lastExpandedAt: now - day + 60)) == nil)
        #expect(policy.due(.init(now: now, logged: 40, expanded: 100, lastExpandedAt: now - day)) == 100)
        // A job that logged nothing still holds the next one off.
        #expect(policy.due(.init(now: now, logged: 40, expanded: 100, lastExpandedAt: now - 3 * day, lastStartedAt: now - 60)) == nil)
        #expect(policy.due(.init(now: now, logged: 40, expanded: 0, lastStartedAt: now - day)) == 100)
    }

    @Test func theRouteSettingIsReadAndChecked() throws {
        let decode = { (json: String) in try JSONDecoder().decode(RouteConfiguration.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"name":"a"}"#).expansion == ExpansionScheduleSettings())
        let route = try decode(#"{"name":"a","expansion":{"enabled":true,"count":50,"every_hours":6,"min_logged":10,"max_per_logged":3,"max_total":400,"max_teacher_tokens":9000,"seeds":4}}"#)
        var expected = ExpansionScheduleSettings(enabled: true, count: 50, everyHours: 6)
        (expected.minLogged, expected.maxPerLogged, expected.maxTotal, expected.maxTeacherTokens, expected.seeds) = (10, 3, 400, 9000, 4)
        #expect(route.expansion == expected)
        for bad in [#"{"count":0}"#, #"{"every_hours":0}"#, #"{"min_logged":0}"#, #"{"max_per_logged":-1}"#,
                    #"{"max_total":-1}"#, #"{"max_teacher_tokens":0}"#, #"{"seeds":101}"#, #"{"enabled":"yes"}"#] {
            #expect(throws: DecodingError.self, "\(bad)") { try decode(#"{"name":"a","expansion":\#(bad)}"#) }
        }
    }

    /// The scheduler over `corpus` with the route's expansion set to `settings`, its jobs on `mock`.
    func scheduler(_ corpus: TrainingCorpus, _ mock: MockTeacher, _ settings: ExpansionScheduleSettings,
                   tracker: ExpansionTracker, clock: ManualWallClock, metrics: any MetricsRecorder = DiscardedMetrics()) -> ExpansionScheduler {
        let route = RouteConfiguration(name: "default", teacherModel: "mock-teacher", expansion: settings)
        let client = TeacherClient(configuration: TeacherConfiguration(baseURL: mock.baseURL))
        let (reader, log, url) = (corpus.reader, corpus.log, mock.baseURL)
        return ExpansionScheduler(routes: [route, RouteConfiguration(name: "other")], reader: corpus.reader, tracker: tracker,
                                  metrics: metrics, clock: clock, checkSeconds: 60) { settings in
            ExpansionJob(reader: reader, log: log, teacher: TeacherChat(client: client, api: .chat),
                         teacherURL: url, settings: settings)
        }
    }

    func finished(_ tracker: ExpansionTracker) async throws -> JSONValue {
        for _ in 0..<1000 where tracker.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return tracker.json
    }

    @Test func theSchedulerGrowsARouteUpToItsCapsOneIntervalAtATime() async throws {
        let corpus = try TrainingCorpus()
        let mock = try MockTeacher(handler: ExpansionTests.teacher(asks: Counter()))
        defer { mock.shutdown() }
        let clock = ManualWallClock(SystemWallClock().now())
        let tracker = ExpansionTracker()
        let scheduler = scheduler(corpus, mock, Self.settings(count: 6, minLogged: 10, perLogged: 0.25), tracker: tracker, clock: clock)
        corpus.addTask(count: 8)
        #expect(try scheduler.check() == nil)  // too few to imitate
        corpus.addTask(count: 40)              // Town0…39: 32 more prompts, most on the train side
        #expect(try TrainingDataReader(reader: corpus.reader).eligibleCounts().exchanges >= 30)
        let first = try #require(try scheduler.check())
        #expect(first.route == "default" && first.count == 6 && first.teacherModel == "mock-teacher" && first.randomSeed == 1)
        #expect(try scheduler.check() == nil)  // running, then started less than a day ago
        let state = try await finished(tracker)
        #expect(state["status"]?.stringValue == "succeeded" && state["trigger"]?.stringValue == "schedule", "\(state.jsonString)")
        #expect(try corpus.reader.taggedSummary(route: "default", tag: ExpansionJob.tag).count == 6)
        #expect(try scheduler.check() == nil)
        clock.advance(by: 86_400 + 60)
        // The cap is a quarter of the real exchanges (8 or 9), so the second job asks only
        // for what is left, and there is no third.
        let logged = try TrainingDataReader(reader: corpus.reader).eligibleCounts().exchanges - 6
        try #require((1..<6).contains(logged / 4 - 6), "\(logged) real exchanges")
        let second = try #require(try scheduler.check())
        #expect(second.count == logged / 4 - 6 && second.randomSeed == 7)
        _ = try await finished(tracker)
        #expect(try corpus.reader.taggedSummary(route: "default", tag: ExpansionJob.tag).count == logged / 4)
        clock.advance(by: 86_400 + 60)
        #expect(try scheduler.check() == nil)
    }

    @Test func aFailedScheduledJobIsReportedAndWaitsItsInterval() async throws {
        let corpus = try TrainingCorpus()
        let mock = try MockTeacher { _ in .json(status: 500, body: #"{"error":{"message":"down"}}"#) }
        defer { mock.shutdown() }
        let clock = ManualWallClock(SystemWallClock().now())
        let tracker = ExpansionTracker()
        let metrics = RecordingMetrics()
        let scheduler = scheduler(corpus, mock, Self.settings(minLogged: 5), tracker: tracker, clock: clock, metrics: metrics)
        corpus.addTask(count: 20)
        #expect(try scheduler.check() != nil)
        let state = try await finished(tracker)
        #expect(state["status"]?.stringValue == "failed")
        for _ in 0..<200 where metrics.value("retort_distill_errors_total", [("operation", "expansion")]) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(metrics.value("retort_distill_errors_total", [("operation", "expansion")]) == 1)
        #expect(try scheduler.check() == nil)  // nothing logged, but the start counts
        clock.advance(by: 86_400 + 60)
        #expect(try scheduler.check() != nil)
        _ = try await finished(tracker)
    }
}
