import CSlipwayBuild

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program run in a session (process group) of its own, its standard output and error cut
/// into lines for a ``LogSink``. Services and tasks both run this way, so Ctrl-C, cancellation
/// and stops reach every process the program starts.
///
/// Standard output and error share one pipe, as they share a terminal: the lines keep the order
/// the program wrote them in. Standard input is `/dev/null`.
public enum GroupProcess {
    /// How the program ended: its exit status, or the signal that killed it.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Runs `arguments` (`arguments[0]` an absolute path) in a new session and returns when the
    /// leader has exited and its output pipe reached end of file (every process holding it has
    /// closed it or exited). ``ProcessReactor`` reads the pipe and reaps the leader.
    /// - Parameters:
    ///   - environment: exactly these variables.
    ///   - name: the sink's name for the lines (a service or task).
    ///   - started: told the group id (the leader's pid) once the process exists.
    /// - Returns: the leader's pid and how it ended. Members it left behind may still run: stop
    ///   them with ``ProcessGroup/stop(signal:grace:afterKill:willKill:)``.
    /// - Throws: ``ProcessError/spawnFailed(_:_:)`` when the program cannot start (no such
    ///   program, no folder `cwd`, no descriptors left).
    public static func run(
        _ arguments: [String], environment: [String: String], cwd: String, name: String, sink: LogSink,
        started: @escaping @Sendable (pid_t) async -> Void
    ) async throws(ProcessError) -> (pid: pid_t, termination: Termination) {
        var ends: [Int32] = [-1, -1]
        guard slipway_pipe_cloexec(&ends) == 0 else {
            throw .spawnFailed(arguments.first ?? "(nothing)", String(cString: strerror(errno)))
        }
        let pid: pid_t
        do {
            pid = try Spawn.start(
                arguments, descriptors: [.null, .copy(ends[1]), .copy(ends[1])], environment: environment,
                cwd: cwd, flags: Spawn.setsidFlag)
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])
        await started(pid)
        let termination = await ProcessReactor.shared.wait(pid: pid, pipe: ends[0], name: name, sink: sink)
        return (pid, termination)
    }
}
