import ChatAPI
import Corpus
import Distill
import Foundation
import Hummingbird
import Serving

/// `GET /admin/serving` (each route's mode, who served its requests and the student's share
/// over time, recent events and gate results) and `POST /admin/serving` (switch a route by hand).
struct AdminServingController {
    let services: GatewayServices

    /// Adds the serving routes to `group` (already behind the admin key).
    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("serving") { _, _ in try self.show() }
        group.post("serving") { request, _ in try await self.set(request) }
    }

    /// `GET /admin/serving`.
    func show() throws -> Response {
        let runtime = services.serving
        runtime.refresh()
        let tallies = runtime.servingTallies()
        let routes = runtime.currentStates().map { state in
            Self.routeJSON(state, tally: tallies[state.route] ?? ServingTally(), studentStatus: runtime.studentStatus(of: state))
                .setting("promotion", to: promotion(state))
                .setting("student_share_history", to: shareHistory(state.route))
        }
        let events = try runtime.book.store.events(route: nil, limit: 30).map { stored in
            (try? JSONValue.parse(Array(stored.eventJSON.utf8))).map { $0.setting("id", to: .int(stored.id)) } ?? .null
        }
        let gates = try runtime.book.store.evalResults(version: nil, route: nil, limit: 20).map(Self.gateJSON)
        return .json(.object([
            ("object", .string("serving")), ("data", .array(routes)), ("events", .array(events)),
            ("gate_results", .array(gates)), ("auto_promote", .bool(runtime.settings.autoPromote)),
        ]))
    }

    /// Who served the route's latest 5,000 requests, in up to 24 spans of time (the
    /// dashboard's plot of the student's share); an unreadable log gives an empty history.
    private func shareHistory(_ route: RouteName) -> JSONValue {
        let served = (try? services.serving.book.store.recentServers(route: route.rawValue, limit: 5_000)) ?? []
        return .array(StudentShareHistory.buckets(served).map {
            .object([("start", .double($0.start)), ("student", .int($0.student)), ("total", .int($0.total))])
        })
    }

    /// `POST /admin/serving` with `{"route", "mode", "percent"?, "student"?, "note"?}`.
    func set(_ request: Request) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 10)
        guard let body = try? JSONValue.parse(Array(buffer.readableBytesView)), body.objectValue != nil else {
            throw OpenAIError.invalidRequest("The body must be a JSON object with `route` and `mode`.")
        }
        guard let route = body["route"]?.stringValue.map({ RouteName($0) }) else { throw OpenAIError.invalidRequest("`route` is required.", param: "route") }
        guard let mode = body["mode"]?.stringValue.flatMap(ServingMode.init(rawValue:)) else {
            throw OpenAIError.invalidRequest("`mode` must be one of teacher, shadow, canary, student.", param: "mode")
        }
        do {
            let event = try services.serving.set(route: route, mode: mode, percent: body["percent"]?.doubleValue,
                                                 student: body["student"]?.stringValue, note: body["note"]?.stringValue ?? "")
            let json = try event.map { try JSONValue.parse(Array(ServingStateBook.encode($0).utf8)) } ?? .null
            return .json(.object([("event", json)]))
        } catch let error as ServingError {
            throw OpenAIError.invalidRequest(error.description, param: "mode")
        } catch let error as ServingBookError {
            throw OpenAIError(status: 404, message: error.description, type: "invalid_request_error", param: "route", code: "not_found")
        }
    }

    /// What automatic promotion would do for `state` now: `promote to MODE`, or why it holds
    /// (a ``RolloutHold`` raw value); null when promotion is off or there is nothing to promote.
    func promotion(_ state: RouteServingState) -> JSONValue {
        services.serving.promotionOutlook(for: state).map(JSONValue.string) ?? .null
    }

    static func routeJSON(_ state: RouteServingState, tally: ServingTally, studentStatus: String?) -> JSONValue {
        .object([
            ("route", .string(state.route.rawValue)), ("mode", .string(state.mode.rawValue)),
            ("canary_percent", .double(state.canaryPercent)),
            ("student", state.student.map(JSONValue.string) ?? .null),
            ("previous_student", state.previousStudent.map(JSONValue.string) ?? .null),
            ("student_status", studentStatus.map(JSONValue.string) ?? .null),
            ("served_by_student", .int(tally.student)), ("served_by_teacher", .int(tally.teacher)),
            ("fallback_rate", tally.fallbackRate.map(JSONValue.double) ?? .null),
            ("fallbacks", .object(tally.fallbacks.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) })),
            ("shadow_runs", .int(tally.shadowRuns)), ("shadow_drops", .int(tally.shadowDrops)),
        ])
    }

    /// One stored gate result as JSON.
    static func gateJSON(_ result: StoredEvalResult) -> JSONValue {
        .object([
            ("version", .string(result.version)), ("route", result.route.map(JSONValue.string) ?? .null),
            ("split_version", result.splitVersion.map(JSONValue.int) ?? .null), ("created_at", .double(result.createdAt)),
            ("passed", .bool(result.passed)), ("metrics", (try? JSONValue.parse(Array(result.metricsJSON.utf8))) ?? .null),
        ])
    }
}
