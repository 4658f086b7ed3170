import SlipwayProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One task's `sh -c` process (or its program itself, for a plain command), in a process group of its own (so Ctrl-C and cancellation reach
/// the whole group, and nothing it leaves behind outlives it): in its own session with its
/// output piped to the sink (``GroupProcess``), or attached to the terminal (``AttachedProcess``).
enum TaskProcess {
    enum Status: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case couldNotStart(String)
    }

    /// What runs: `/bin/sh -c COMMAND /bin/sh ARGUMENTS...`, so the arguments are the script's
    /// `$1`, `$2`... (`"$@"`) exactly as given, never split again, and `$0` stays `/bin/sh`.
    /// A command of plain words (``SimpleCommand``) is started directly instead: it has no
    /// `$@`, so `sh` would ignore the arguments too. `environment`'s `PATH` finds its program.
    static func argv(_ command: String, arguments: [String], environment: [String: String], cwd: String) -> [String] {
        if let direct = SimpleCommand.argv(command, path: environment["PATH"] ?? "", cwd: cwd) { return direct }
        return ["/bin/sh", "-c", command, "/bin/sh"] + arguments
    }

    /// Runs `command` with `arguments`; stdout and stderr lines go to `sink` under `name`, unless
    /// `attached`. `started` and `ended` receive the process group id.
    static func run(
        _ command: String, arguments: [String] = [], attached: Bool = false, environment: [String: String],
        cwd: String, name: String, sink: LogSink,
        started: @escaping @Sendable (pid_t) -> Void, ended: @escaping @Sendable (pid_t) -> Void
    ) async -> Status {
        let argv = argv(command, arguments: arguments, environment: environment, cwd: cwd)
        do {
            let (pid, termination): (pid_t, GroupProcess.Termination)
            if attached {
                (pid, termination) = try await AttachedProcess.run(
                    argv, environment: environment, cwd: cwd, started: started)
            } else {
                (pid, termination) = try await GroupProcess.run(
                    argv, environment: environment, cwd: cwd, name: name, sink: sink
                ) { pid in started(pid) }
            }
            // Whatever the task left running in its group is stopped with it.
            await ProcessGroup(id: pid).stop(signal: SIGTERM, grace: .seconds(5))
            ended(pid)
            switch termination {
            case .exited(let code): return .exited(code)
            case .signaled(let signal): return .signaled(signal)
            }
        } catch {
            return .couldNotStart(error.message)
        }
    }
}
