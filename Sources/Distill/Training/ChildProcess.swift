import ChatAPI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` in a clean signal state, and reaped by a
/// thread of its own.
///
/// Foundation's `Process` hands the child the spawning thread's signal mask, and the
/// gateway's threads (Swift concurrency, NIO, Dispatch) block nearly every signal: a
/// training child started from a request handler had SIGTERM blocked, so the gateway's
/// stop never reached it. Here the child starts with no signal blocked, the common
/// signals at their default action (a gateway that ignores SIGTERM for its own shutdown
/// handling does not pass that on), stdin on `/dev/null`, stdout and stderr on the log,
/// and no other descriptor of the gateway's.
final class ChildProcess: @unchecked Sendable {
    // @unchecked: `waitStatus` is guarded by `lock`; the rest is immutable.
    /// The child's process id.
    let pid: pid_t
    private let lock = NSLock()
    private var waitStatus: Int32?

    /// Signals reset to their default action in the child.
    static let defaultedSignals = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM]

    /// Starts `executable` with `arguments` (not including argv[0]) and exactly `environment`.
    /// `onExit` runs on the reaping thread once the child has exited.
    /// - Throws: `POSIXError` when the spawn fails.
    init(executable: String, arguments: [String], environment: [String: String], output: FileHandle,
         onExit: @escaping @Sendable (ChildProcess) -> Void) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in Self.defaultedSignals { sigaddset(&defaulted, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output.fileDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, output.fileDescriptor, 2)
        Self.closeFrom(3, in: &actions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        self.pid = pid
        let childPID = pid
        let reaper = Thread { [self] in
            nameCurrentThread("retort-reap")
            var status: Int32 = 0
            while waitpid(childPID, &status, 0) == -1 && errno == EINTR {}
            lock.withLock { waitStatus = status }
            onExit(self)
        }
        reaper.start()
    }

    /// Closes every descriptor from `lowest` up in the child, with glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34+; not in Swift's Glibc module, so
    /// looked up at run time). Without it the child keeps only what is not close-on-exec.
    private static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }

    /// Whether the child has not been reaped yet.
    var isRunning: Bool { lock.withLock { waitStatus == nil } }

    /// The signal that ended the child, if one did.
    var terminatingSignal: Int32? {
        guard let status = lock.withLock({ waitStatus }), status & 0x7f != 0, status & 0x7f != 0x7f else { return nil }
        return status & 0x7f
    }

    /// The exit status, if the child exited normally.
    var exitStatus: Int32? {
        guard let status = lock.withLock({ waitStatus }), status & 0x7f == 0 else { return nil }
        return (status >> 8) & 0xff
    }

    /// Sends SIGTERM, unless the child is already gone.
    func terminate() {
        lock.withLock { if waitStatus == nil { kill(pid, SIGTERM) } }
    }
}
