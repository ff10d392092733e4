#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX socket helpers for ``MockTeacher`` (IPv4 loopback only).
enum MockSocket {
    /// An error from a socket call, with `errno`.
    struct Failure: Error, CustomStringConvertible {
        /// The call that failed.
        let call: String
        /// `errno` after the call.
        let code: Int32
        /// A readable form.
        var description: String { "\(call) failed: errno \(code)" }
    }

    #if os(Linux)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let streamType = SOCK_STREAM
    private static let sendFlags: Int32 = 0
    #endif

    /// A listening socket on 127.0.0.1 and an ephemeral port, with that port.
    static func listenOnLoopback() throws(Failure) -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, streamType, 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", code: errno) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 256) == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(call: "bind/listen", code: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Waits up to `milliseconds` for `descriptor` to become readable (or closed).
    static func waitReadable(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// Accepts a connection and turns Nagle off on it, or returns `nil`.
    static func accept(_ listener: Int32) -> Int32? {
        #if os(Linux)
        let descriptor = Glibc.accept(listener, nil, nil)
        #else
        let descriptor = Darwin.accept(listener, nil, nil)
        #endif
        guard descriptor >= 0 else { return nil }
        var on: Int32 = 1
        // Without TCP_NODELAY, small keep-alive responses wait ~40 ms for delayed ACKs.
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    /// Reads what is available (blocking until something is): `nil` when the peer closed or
    /// the connection failed.
    static func receive(_ descriptor: Int32, into buffer: inout [UInt8]) -> Int? {
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? count : nil
    }

    /// Sends all of `bytes`; `false` when the peer is gone.
    static func send(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                #if os(Linux)
                return Glibc.send(descriptor, base + offset, raw.count - offset, sendFlags)
                #else
                return Darwin.send(descriptor, base + offset, raw.count - offset, sendFlags)
                #endif
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Closes with an RST instead of a FIN (SO_LINGER with a zero timeout).
    static func reset(_ descriptor: Int32) {
        var linger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(descriptor)
    }

    /// Wakes any thread blocked reading or accepting on `descriptor`.
    static func wake(_ descriptor: Int32) {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }
}
