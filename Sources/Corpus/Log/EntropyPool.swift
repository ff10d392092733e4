import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random bytes from the kernel's generator, fetched 256 at a time with `getentropy`.
///
/// Every request makes an ``ExchangeID``, whose 74 random bits took two
/// `SystemRandomNumberGenerator` draws: two `getrandom` system calls on the connection's
/// event loop. From the pool an id costs two copies under a lock, and one call in 16 ids
/// refills it. The bytes are the kernel's CSPRNG output either way; they are only fetched
/// in bulk. (A forked child would share the buffer, but Retort's children start by `exec`.)
final class EntropyPool: @unchecked Sendable {
    // @unchecked: `buffer` and `used` are guarded by `lock`.
    /// The pool every ``ExchangeID`` draws from.
    static let shared = EntropyPool()

    private let lock = NSLock()
    private var buffer = [UInt8](repeating: 0, count: 256)
    private var used = 256

    /// The next 8 bytes as an integer.
    func next() -> UInt64 {
        lock.withLock {
            if used + 8 > buffer.count { refill() }
            var value: UInt64 = 0
            for index in used..<(used + 8) { value = value << 8 | UInt64(buffer[index]) }
            used += 8
            return value
        }
    }

    /// Fetches a new buffer (under `lock`); falls back to the standard generator should
    /// `getentropy` fail, which it does only on kernels without `getrandom`.
    private func refill() {
        let fetched = buffer.withUnsafeMutableBytes { getentropy($0.baseAddress, $0.count) } == 0
        if !fetched {
            var system = SystemRandomNumberGenerator()
            for index in stride(from: 0, to: buffer.count, by: 8) {
                withUnsafeBytes(of: system.next() as UInt64) { buffer.replaceSubrange(index..<(index + 8), with: $0) }
            }
        }
        used = 0
    }
}

/// ``EntropyPool/shared`` as a `RandomNumberGenerator`.
struct PooledRandomNumberGenerator: RandomNumberGenerator {
    mutating func next() -> UInt64 {
        EntropyPool.shared.next()
    }
}
