import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging

/// Builds the gateway application: the router on the configured address.
/// Tests call this too, with services of their own.
public func buildApplication(services: GatewayServices, logger: Logger? = nil) -> some ApplicationProtocol {
    let configuration = services.configuration
    services.serving.start()
    // A connection with no request in progress (or a request head still arriving) is
    // closed after `idle_timeout_ms`; body reads and client writes have their own limits
    // (``ClientConnection``).
    let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount.milliseconds(Int64(configuration.idleTimeoutMs)))
    let responder = buildRouter(services: services).buildResponder()
    // `event_loop_handlers`: each connection served from its event loop by the gateway's own
    // HTTP/1 channel (``LoopBoundHTTP1Channel``); off, Hummingbird's, with handlers on the
    // global pool.
    let server: HTTPServerBuilder = configuration.eventLoopHandlers
        ? .loopBoundHTTP1(responder: responder, configuration: http1, serverName: serverName)
        : .http1(configuration: http1)
    return Application(
        responder: responder,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
        logger: logger ?? Logger(label: "retort")
    )
}

/// The `Server` header of every response.
private let serverName = "retort"

/// The route table. Every route's errors leave through ``OpenAIErrorMiddleware``; every
/// request passes ``CrossSiteMiddleware`` first.
///
/// With `event_loop_handlers` (the default), handlers run on their connection's event
/// loop (``LoopBoundHTTP1Channel``), so they must not block. Every `/v1` route but feedback,
/// `/healthz` and `/metrics` only await; feedback and the admin API read and write SQLite,
/// so they always run on the global pool (``OffLoopMiddleware``).
public func buildRouter(services: GatewayServices) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: OpenAIErrorMiddleware())
    router.add(middleware: CrossSiteMiddleware(policy: services.configuration.crossSitePolicy))
    HealthController(services: services).addRoutes(to: router)
    let v1 = router.group("v1").add(middleware: ClientKeyMiddleware(keys: Set(services.configuration.clientKeys)))
    ModelsController(services: services).addRoutes(to: v1)
    let completions = ChatCompletionsController(services: services)
    completions.addRoutes(to: v1)
    ResponsesController(completions: completions).addRoutes(to: v1)
    MessagesController(completions: completions).addRoutes(to: v1)
    FeedbackController(services: services).addRoutes(to: v1.group().add(middleware: OffLoopMiddleware()))
    ProxyController(services: services, completions: completions).addRoutes(to: v1)
    let admin = router.group("admin").add(middleware: OffLoopMiddleware()).add(middleware: AdminKeyMiddleware(key: services.configuration.adminKey, host: services.configuration.host))
    AdminController(services: services).addRoutes(to: admin)
    router.add(middleware: DashboardFiles.middleware(folder: services.configuration.publicDirectory))
    return router
}

extension GatewayConfiguration {
    /// The Host and Origin rules for this configuration on this machine.
    var crossSitePolicy: CrossSitePolicy {
        CrossSitePolicy(allowedHosts: allowedHosts, allowedOrigins: allowedOrigins, bindHost: host,
                        machineName: ProcessInfo.processInfo.hostName)
    }
}
