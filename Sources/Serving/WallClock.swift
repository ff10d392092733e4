#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Wall-clock time in Unix seconds. Injected wherever a decision reads the time (serving
/// states, rollback windows, promotion, training schedules) so tests can move it by hand.
public protocol WallClock: Sendable {
    /// Unix seconds now.
    func now() -> Double
}

/// The system's wall clock (`CLOCK_REALTIME`).
public struct SystemWallClock: WallClock {
    /// The system clock.
    public init() {}

    /// Unix seconds now.
    public func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// A clock that stands still until it is moved: for tests and replays.
public final class ManualWallClock: WallClock {
    private let time: Mutex<Double>

    /// A clock reading `start`.
    public init(_ start: Double = 1_700_000_000) { time = Mutex(start) }

    /// The time it was set to.
    public func now() -> Double { time.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: Double) { time.withLock { $0 += seconds } }
}
