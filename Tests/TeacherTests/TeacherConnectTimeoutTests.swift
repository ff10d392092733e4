import Teacher
import Testing

#if canImport(Glibc)
import Glibc

@Suite("TeacherClient connect timeout")
struct TeacherConnectTimeoutTests {
    /// A listener that never accepts, with its one-slot backlog filled, so that further
    /// connection attempts get no SYN-ACK and hang until the client gives up.
    private final class BlackHole {
        let port: Int
        private var descriptors: [Int32] = []

        init() throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            descriptors.append(listener)
            var address = Self.loopback(port: 0)
            try #require(withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0)
            try #require(listen(listener, 0) == 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
            for _ in 0..<3 {  // fill the backlog; later connects stay pending (non-blocking)
                let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                descriptors.append(filler)
                var target = Self.loopback(port: port)
                _ = withUnsafePointer(to: &target) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
        }

        deinit {
            for descriptor in descriptors { close(descriptor) }
        }

        private static func loopback(port: Int) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return address
        }
    }

    @Test("a server that never completes the handshake hits the connect timeout, retried", arguments: TeacherConfiguration.Transport.tested)
    func connectTimeout(transport: TeacherConfiguration.Transport) async throws {
        let hole = try BlackHole()
        let client = TeacherClient(configuration: TeacherConfiguration(
            baseURL: "http://127.0.0.1:\(hole.port)/v1", connectTimeout: .milliseconds(200),
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1)), transport: transport))
        let start = ContinuousClock.now
        await #expect(throws: TeacherError.timedOut(.connect)) {
            _ = try await client.send(TeacherRequest(path: "/chat/completions", body: Array("{}".utf8)))
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(390) && elapsed < .seconds(3))  // two attempts of 200 ms
        #expect(TeacherError.timedOut(.connect).suggestedHTTPStatus == 504)
    }

    @Test("cancelling while the connection is being made answers at once, not at the connect timeout",
          arguments: TeacherConfiguration.Transport.tested)
    func cancelWhileConnecting(transport: TeacherConfiguration.Transport) async throws {
        let hole = try BlackHole()
        let client = TeacherClient(configuration: TeacherConfiguration(
            baseURL: "http://127.0.0.1:\(hole.port)/v1", connectTimeout: .seconds(10), retry: .never, transport: transport))
        let start = ContinuousClock.now
        let task = Task { try await client.send(TeacherRequest(path: "/chat/completions", body: Array("{}".utf8))) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: TeacherError.cancelled) { _ = try await task.value }
        #expect(ContinuousClock.now - start < .seconds(3))
    }
}
#endif
