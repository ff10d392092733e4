import Hummingbird
import NIOCore

/// The gateway's request context: Hummingbird's core storage plus the peer's socket
/// address, which the admin API's loopback rule is decided from (``AdminKeyMiddleware``),
/// and the connection, which a stalled read or write closes (``ClientConnection``).
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection's peer; nil when the channel has none (in-process tests).
    public let remoteAddress: SocketAddress?
    /// The connection the request came on.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }
}
