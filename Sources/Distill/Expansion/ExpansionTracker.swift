import ChatAPI
import Foundation

/// The gateway's expansion job (`POST /admin/augment`, or ``ExpansionScheduler``): at most
/// one at a time, run in the background on the gateway's own teacher client and log, its
/// progress readable while it runs (`GET /admin/augment`).
public final class ExpansionTracker: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var status = "idle"
    private var settings: ExpansionJob.Settings?
    private var report = ExpansionJob.Report()
    private var error: String?
    private var startedAt: Double?
    private var finishedAt: Double?
    private var trigger = "admin"
    private var starts: [String: Double] = [:]

    /// No job yet.
    public init() {}

    /// Whether a job is running.
    public var isRunning: Bool { lock.withLock { status == "running" } }

    /// When the last job on `route` started, in unix seconds; nil before the first.
    public func lastStart(route: String) -> Double? { lock.withLock { starts[route] } }

    /// Starts `job` in the background; false (and nothing started) while another runs.
    /// `trigger` (`admin`, `schedule`) is shown with the job; `now` is its start time
    /// (default: the system clock); `onFailure` sees the error of a job that fails.
    @discardableResult
    public func start(_ job: ExpansionJob, trigger: String = "admin", at now: Double = Date().timeIntervalSince1970,
                      onFailure: (@Sendable (any Error) -> Void)? = nil) -> Bool {
        let started: Bool = lock.withLock {
            guard status != "running" else { return false }
            (status, settings, report, error) = ("running", job.settings, ExpansionJob.Report(), nil)
            (startedAt, finishedAt, self.trigger) = (now, nil, trigger)
            starts[job.settings.route] = now
            return true
        }
        guard started else { return false }
        Task.detached { [self] in
            do {
                let final = try await job.run { progress in self.lock.withLock { self.report = progress } }
                finish(status: "succeeded", report: final, error: nil)
            } catch {
                finish(status: "failed", report: nil, error: "\(error)")
                onFailure?(error)
            }
        }
        return true
    }

    private func finish(status: String, report: ExpansionJob.Report?, error: String?) {
        lock.withLock {
            self.status = status
            if let report { self.report = report }
            self.error = error
            finishedAt = Date().timeIntervalSince1970
        }
    }

    /// The job's state: `status` (`idle`, `running`, `succeeded`, `failed`), what started it
    /// (`trigger`), its settings, the report so far, the error of a failed job, and its times.
    public var json: JSONValue {
        lock.withLock {
            var members: [(key: String, value: JSONValue)] = [("object", .string("augment.job")), ("status", .string(status))]
            if let settings {
                members.append(("trigger", .string(trigger)))
                members.append(("settings", .object([
                    ("route", .string(settings.route)), ("count", .int(settings.count)), ("seeds", .int(settings.examples)),
                    ("per_ask", .int(settings.perAsk)), ("max_teacher_tokens", .int(settings.maxTeacherTokens)),
                    ("similarity", .double(settings.similarity)),
                ])))
                members.append(("report", report.json))
            }
            members.append(("error", error.map(JSONValue.string) ?? .null))
            members.append(("started_at", startedAt.map(JSONValue.double) ?? .null))
            members.append(("finished_at", finishedAt.map(JSONValue.double) ?? .null))
            return .object(members)
        }
    }
}
