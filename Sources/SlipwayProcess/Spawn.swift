#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starting child processes with `posix_spawn` (POSIX.1-2008, with glibc's `_np` extensions):
/// the guardian, the detached supervisor, attached programs and every service and task
/// (``GroupProcess``). One place decides what a child inherits: descriptors 0-2 only, default
/// signal dispositions and an empty signal mask.
public enum Spawn {
    /// glibc's `POSIX_SPAWN_SETSID` (2.26+): the child calls `setsid()`.
    static let setsidFlag: Int32 = 0x80

    /// What one of the child's descriptors 0-2 is.
    public enum Descriptor: Sendable {
        /// The caller's own.
        case inherit
        /// `/dev/null`.
        case null
        /// A copy (`dup2`) of this descriptor of the caller.
        case copy(Int32)
    }

    /// Starts `arguments` in a new session with the given descriptors (-1: `/dev/null`).
    /// - Returns: the child's pid.
    /// - Throws: ``ProcessError/spawnFailed(_:_:)``.
    public static func detached(
        _ arguments: [String], stdin: Int32, stdout: Int32, stderr: Int32, environment: [String: String]?
    ) throws -> pid_t {
        let descriptors = [stdin, stdout, stderr].map { $0 >= 0 ? Descriptor.copy($0) : .null }
        return try start(arguments, descriptors: descriptors, environment: environment, cwd: nil, flags: setsidFlag)
    }

    /// Starts `arguments` (`arguments[0]` an absolute path; no `PATH` search).
    /// - Parameters:
    ///   - descriptors: the child's 0, 1 and 2.
    ///   - environment: exactly these variables (names that cannot be environment keys are left
    ///     out), or `nil` for the caller's.
    ///   - cwd: the child's working folder (`posix_spawn_file_actions_addchdir_np`, glibc 2.29+),
    ///     or `nil` for the caller's.
    ///   - flags: `POSIX_SPAWN_SETPGROUP` (with process group 0: its own), ``setsidFlag``...
    /// - Returns: the child's pid.
    /// - Throws: ``ProcessError/spawnFailed(_:_:)`` (a missing program or `cwd` included).
    public static func start(
        _ arguments: [String], descriptors: [Descriptor], environment: [String: String]?, cwd: String?, flags: Int32
    ) throws(ProcessError) -> pid_t {
        guard let program = arguments.first else { throw .spawnFailed("(nothing)", "no program given") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, descriptor) in descriptors.enumerated() {
            switch descriptor {
            case .inherit: break
            case .copy(let source): posix_spawn_file_actions_adddup2(&actions, source, Int32(target))
            case .null:
                posix_spawn_file_actions_addopen(
                    &actions, Int32(target), "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        if let cwd { try changeDirectory(&actions, to: cwd, program: program) }
        closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if flags & Int32(POSIX_SPAWN_SETPGROUP) != 0 { posix_spawnattr_setpgroup(&attributes, 0) }
        resetSignals(&attributes, flags: flags)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp = environment.compactMap { entry in
                isEnvironmentName(entry.key) ? strdup(entry.key + "=" + entry.value) : nil
            } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        }
        guard result == 0 else {
            let reason = String(cString: strerror(result))
            let missingFolder = result == ENOENT && cwd != nil
            throw .spawnFailed(program, missingFolder ? "\(reason) (or no folder \(cwd!))" : reason)
        }
        return pid
    }

    /// Whether `name` can be an environment variable's name: not empty, no `=` and no NUL.
    static func isEnvironmentName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(UInt8(ascii: "=")) && !name.utf8.contains(0)
    }

    /// The child changes to `cwd` before it runs the program (glibc 2.29+; looked up at run time
    /// as Swift's Glibc module does not export it).
    static func changeDirectory(
        _ actions: inout posix_spawn_file_actions_t, to cwd: String, program: String
    ) throws(ProcessError) {
        typealias ChangeDirectory = @convention(c) (
            UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>
        ) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
            throw .spawnFailed(program, "this C library cannot set the working folder of a new process")
        }
        _ = unsafeBitCast(symbol, to: ChangeDirectory.self)(&actions, cwd)
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
