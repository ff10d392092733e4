import Hummingbird
import NIOCore

/// The gateway's request context: Hummingbird's core storage plus the peer's socket
/// address, which the admin API's loopback rule is decided from (``AdminKeyMiddleware``).
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection's peer; nil when the channel has none (in-process tests).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
