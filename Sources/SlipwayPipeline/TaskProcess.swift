import SlipwayProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One task's `sh -c` process, in its own session (so Ctrl-C and cancellation reach the whole
/// process group, and nothing it leaves behind outlives it).
enum TaskProcess {
    enum Status: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case couldNotStart(String)
    }

    /// Runs `command`; stdout and stderr lines go to `sink` under `name`. `started` and `ended`
    /// receive the process group id.
    static func run(
        _ command: String, environment: [String: String], cwd: String, name: String, sink: LogSink,
        started: @escaping @Sendable (pid_t) -> Void, ended: @escaping @Sendable (pid_t) -> Void
    ) async -> Status {
        do {
            let (pid, termination) = try await GroupProcess.run(
                ["/bin/sh", "-c", command], environment: environment, cwd: cwd, name: name, sink: sink
            ) { pid in started(pid) }
            // Whatever the task left running in its group is stopped with it.
            await ProcessGroup(id: pid).stop(signal: SIGTERM, grace: .seconds(5))
            ended(pid)
            switch termination {
            case .exited(let code): return .exited(code)
            case .signaled(let signal): return .signaled(signal)
            }
        } catch {
            return .couldNotStart(String(describing: error))
        }
    }
}
