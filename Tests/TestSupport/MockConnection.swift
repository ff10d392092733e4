import Foundation

/// One accepted connection of a ``MockTeacher``: reads requests (keep-alive) and writes
/// replies. Used only by its own thread.
final class MockConnection {
    /// The connected socket.
    let descriptor: Int32
    /// The connection's number, 1 for the first accepted.
    let id: Int
    private let server: MockServer
    private var parser = MockHTTPParser()
    /// Set when the reply ended in an RST; the socket must then be reset, not closed.
    private(set) var wasReset = false

    /// Wraps an accepted socket.
    init(descriptor: Int32, id: Int, server: MockServer) {
        self.descriptor = descriptor
        self.id = id
        self.server = server
    }

    /// Serves requests until either side closes; returns whether the client closed it.
    func run() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !server.isStopped {
            let parsed: MockHTTPParser.Parsed?
            do {
                parsed = try parser.next()
            } catch {
                _ = MockSocket.send(descriptor, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return false
            }
            guard let parsed else {
                guard let count = MockSocket.receive(descriptor, into: &buffer) else { return !server.isStopped }
                parser.append(buffer[..<count])
                continue
            }
            let request = MockRequest(
                method: parsed.method, path: parsed.path, headers: parsed.headers, body: parsed.body, connectionID: id)
            let wantsClose = parsed.version == "HTTP/1.0" || request.header("connection")?.lowercased() == "close"
            switch write(server.reply(to: request), closeAfter: wantsClose) {
            case .keepOpen: continue
            case .closedByServer: return false
            case .closedByClient: return true
            }
        }
        return false
    }

    /// What became of the connection after a reply.
    enum Ending {
        /// Ready for the next request.
        case keepOpen
        /// The mock closed (or reset) it.
        case closedByServer
        /// The client closed or reset it.
        case closedByClient
    }

    /// Writes one reply.
    func write(_ reply: MockReply, closeAfter: Bool) -> Ending {
        switch reply {
        case .json(let status, let body, let headers):
            return sendComplete(status: status, body: body, headers: headers, closeAfter: closeAfter)
        case .status(let status, let retryAfter, let body):
            let headers = retryAfter.map { [("Retry-After", $0)] } ?? []
            return sendComplete(status: status, body: body, headers: headers, closeAfter: closeAfter)
        case .stream(let events, let split, let delay, let framing):
            return sendStream(split.pieces(of: events), delay: delay, framing: framing, closeAfter: closeAfter)
        case .stall(let events):
            if !events.isEmpty {
                guard sendStreamHead(framing: .chunked), sendPieces(MockSplitMode.whole.pieces(of: events), chunked: true)
                else { return .closedByClient }
            }
            return stall()
        case .resetAfter(let events):
            _ = sendStreamHead(framing: .chunked)
            _ = sendPieces(MockSplitMode.whole.pieces(of: events), chunked: true)
            wasReset = true
            return .closedByServer
        case .closeWithoutReply:
            return .closedByServer
        case .raw(let bytes):
            return MockSocket.send(descriptor, bytes) ? .keepOpen : .closedByClient
        case .delayed(let duration, let inner):
            Thread.sleep(forTimeInterval: duration.seconds)
            return write(inner, closeAfter: closeAfter)
        }
    }

    private func sendComplete(status: Int, body: String, headers: [(String, String)], closeAfter: Bool) -> Ending {
        let bodyBytes = Array(body.utf8)
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            head += "Content-Type: application/json\r\n"
        }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(bodyBytes.count)\r\n"
        if closeAfter { head += "Connection: close\r\n" }
        head += "\r\n"
        guard MockSocket.send(descriptor, Array(head.utf8) + bodyBytes) else { return .closedByClient }
        return closeAfter ? .closedByServer : .keepOpen
    }

    private func sendStream(_ pieces: [[UInt8]], delay: Duration, framing: MockStreamFraming, closeAfter: Bool) -> Ending {
        guard sendStreamHead(framing: framing) else { return .closedByClient }
        let chunked = framing == .chunked
        for (index, piece) in pieces.enumerated() {
            if index > 0 && delay > .zero {
                Thread.sleep(forTimeInterval: delay.seconds)
            }
            guard sendPieces([piece], chunked: chunked) else { return .closedByClient }
        }
        guard chunked else { return .closedByServer }
        guard MockSocket.send(descriptor, Array("0\r\n\r\n".utf8)) else { return .closedByClient }
        return closeAfter ? .closedByServer : .keepOpen
    }

    private func sendStreamHead(framing: MockStreamFraming) -> Bool {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        head += framing == .chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Connection: close\r\n\r\n"
        return MockSocket.send(descriptor, Array(head.utf8))
    }

    private func sendPieces(_ pieces: [[UInt8]], chunked: Bool) -> Bool {
        for piece in pieces where !piece.isEmpty {
            let framed = chunked ? Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + [13, 10] : piece
            guard MockSocket.send(descriptor, framed) else { return false }
        }
        return true
    }

    /// Sends nothing more; returns when the client closes or the mock shuts down.
    private func stall() -> Ending {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !server.isStopped {
            guard MockSocket.waitReadable(descriptor, milliseconds: 20) else { continue }
            if MockSocket.receive(descriptor, into: &buffer) == nil {
                return server.isStopped ? .closedByServer : .closedByClient
            }
        }
        return .closedByServer
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}

extension Duration {
    /// The duration in seconds, for `Thread.sleep`.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
