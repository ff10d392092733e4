import Hummingbird
import Logging

/// Builds the gateway application: the router on the configured address.
/// Tests call this too, with services of their own.
public func buildApplication(services: GatewayServices, logger: Logger? = nil) -> some ApplicationProtocol {
    let configuration = services.configuration
    services.serving.start()
    return Application(
        router: buildRouter(services: services),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "retort"),
        logger: logger ?? Logger(label: "retort")
    )
}

/// The route table. Every route's errors leave through ``OpenAIErrorMiddleware``.
public func buildRouter(services: GatewayServices) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: OpenAIErrorMiddleware())
    HealthController(services: services).addRoutes(to: router)
    let v1 = router.group("v1").add(middleware: ClientKeyMiddleware(keys: Set(services.configuration.clientKeys)))
    ModelsController(services: services).addRoutes(to: v1)
    ChatCompletionsController(services: services).addRoutes(to: v1)
    FeedbackController(services: services).addRoutes(to: v1)
    let admin = router.group("admin").add(middleware: AdminKeyMiddleware(key: services.configuration.adminKey, host: services.configuration.host))
    AdminController(services: services).addRoutes(to: admin)
    router.add(middleware: DashboardFiles.middleware(folder: services.configuration.publicDirectory))
    return router
}
