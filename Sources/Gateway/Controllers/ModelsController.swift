import ChatAPI
import Hummingbird
import Serving

/// `GET /v1/models`: the routes this gateway serves, in OpenAI's list format.
struct ModelsController {
    let services: GatewayServices
    let created = 1_700_000_000

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("models") { _, _ in self.list() }
        group.get("models/{id}") { _, context in try self.model(id: context.parameters.require("id")) }
    }

    func list() -> Response {
        let data = services.configuration.routes.map { entry($0.name.rawValue) }
        return .json(.object([("object", .string("list")), ("data", .array(data))]))
    }

    func model(id: String) throws -> Response {
        guard services.configuration.route(named: RouteName(id)) != nil else { throw OpenAIError.modelNotFound(id) }
        return .json(entry(id))
    }

    func entry(_ name: String) -> JSONValue {
        .object([("id", .string(name)), ("object", .string("model")), ("created", .int(created)), ("owned_by", .string("retort"))])
    }
}
