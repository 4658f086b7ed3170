#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starting processes that outlive the caller's interest: the guardian and the detached
/// supervisor. (Services and tasks are run through swift-subprocess, see ``GroupProcess``.)
public enum Spawn {
    /// glibc's `POSIX_SPAWN_SETSID` (2.26+): the child calls `setsid()`.
    static let setsidFlag: Int32 = 0x80

    /// Starts `arguments` in a new session with the given descriptors (-1: `/dev/null`).
    /// - Returns: the child's pid.
    /// - Throws: ``ProcessError/spawnFailed(_:_:)``.
    public static func detached(
        _ arguments: [String], stdin: Int32, stdout: Int32, stderr: Int32, environment: [String: String]?
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, source) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            if source >= 0 {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes, flags: setsidFlag)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        }
        guard result == 0 else {
            throw ProcessError.spawnFailed(arguments[0], String(cString: strerror(result)))
        }
        return pid
    }

    /// Nothing else of the caller's (a test's pipes, sockets) is held open by the child: every
    /// descriptor above 2 is closed (glibc 2.34+; looked up at run time because Swift's Glibc
    /// module does not export it).
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
    }

    /// The child starts with every signal's default disposition and an empty signal mask
    /// (whatever Slipway ignores or blocks), and with `flags` (`POSIX_SPAWN_SETPGROUP`...).
    static func resetSignals(_ attributes: inout posix_spawnattr_t, flags: Int32) {
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        let all = flags | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        posix_spawnattr_setflags(&attributes, Int16(all))
    }

    /// This executable's path (`/proc/self/exe`).
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Replaced on disk (a rebuild or an upgrade while services run): the running image is
        // still reachable through /proc.
        return path.hasSuffix(" (deleted)") ? "/proc/self/exe" : path
    }
}
