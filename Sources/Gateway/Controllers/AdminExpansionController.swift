import ChatAPI
import Corpus
import Distill
import Hummingbird
import Serving

/// Expansion over the admin API: `POST /admin/augment` starts `retort augment`'s job in
/// the gateway (on its teacher and log) and answers 202; `GET /admin/augment` shows the
/// job's progress and report.
struct AdminExpansionController {
    let services: GatewayServices

    /// Adds the routes to `group` (already behind the admin key).
    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("augment") { request, _ in try await self.start(request) }
        group.get("augment") { _, _ in Response.json(self.services.expansions.json) }
    }

    /// `POST /admin/augment` `{"route", "count", "seeds"?, "per_ask"?, "max_teacher_tokens"?, "similarity"?, "random_seed"?}`.
    func start(_ request: Request) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 10)
        guard let body = try? JSONValue.parse(buffer.readableBytesView), body.objectValue != nil else {
            throw OpenAIError.invalidRequest("The body must be a JSON object with `route` and `count`.")
        }
        let settings = try Self.settings(body, configuration: services.configuration)
        guard let job = services.expansionJob(settings) else {
            throw OpenAIError.upstreamUnavailable("augment needs a teacher; set RETORT_TEACHER_URL")
        }
        guard services.expansions.start(job) else {
            throw OpenAIError(status: 409, message: "An augment job is running; see GET /admin/augment.", type: "invalid_request_error",
                              code: "augment_running")
        }
        return .json(services.expansions.json, status: .accepted)
    }

    /// The job's settings from the body, checked as `retort augment` checks its options.
    static func settings(_ body: JSONValue, configuration: GatewayConfiguration) throws -> ExpansionJob.Settings {
        let fields = FieldReader(json: body)
        guard let name = try fields.string("route") else { throw OpenAIError.invalidRequest("`route` is required.", param: "route") }
        guard let route = configuration.route(named: RouteName(name)) else { throw OpenAIError.modelNotFound(name) }
        guard let count = try fields.int("count", in: 1...1_000_000) else {
            throw OpenAIError.invalidRequest("`count` is required (1 or more).", param: "count")
        }
        var settings = ExpansionJob.Settings(route: name, teacherModel: route.teacherModel, count: count)
        settings.examples = try fields.int("seeds", in: 1...100) ?? settings.examples
        settings.perAsk = try fields.int("per_ask", in: 1...200) ?? settings.perAsk
        settings.maxTeacherTokens = try fields.int("max_teacher_tokens", in: 1...Int(Int32.max)) ?? settings.maxTeacherTokens
        settings.similarity = try fields.double("similarity", in: 0...1) ?? settings.similarity
        settings.randomSeed = UInt64(try fields.int("random_seed", in: 0...Int.max) ?? 1)
        return settings
    }
}
