import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program run in a session (process group) of its own, its standard output and error cut
/// into lines for a ``LogSink``. Services and tasks both run this way, so Ctrl-C, cancellation
/// and stops reach every process the program starts.
public enum GroupProcess {
    /// How the program ended: its exit status, or the signal that killed it.
    public typealias Termination = TerminationStatus

    /// Runs `arguments` (`arguments[0]` an absolute path) in a new session and returns when the
    /// leader has exited and both output streams reached end of file.
    /// - Parameters:
    ///   - name: the sink's name for the lines (a service or task).
    ///   - started: told the group id (the leader's pid) once the process exists.
    /// - Returns: the leader's pid and how it ended. Members it left behind may still run: stop
    ///   them with ``ProcessGroup/stop(signal:grace:afterKill:willKill:)``.
    /// - Throws: swift-subprocess errors when the program cannot start.
    public static func run(
        _ arguments: [String], environment: [String: String], cwd: String, name: String, sink: LogSink,
        started: @escaping @Sendable (pid_t) async -> Void
    ) async throws -> (pid: pid_t, termination: Termination) {
        guard let program = arguments.first else { throw ProcessError.spawnFailed("(nothing)", "no program given") }
        var options = PlatformOptions()
        options.createSession = true
        let result = try await Subprocess.run(
            .path(FilePath(program)), arguments: Arguments(Array(arguments.dropFirst())),
            environment: .exactly(environment), workingDirectory: FilePath(cwd), platformOptions: options,
            input: .none, output: .sequence, error: .sequence
        ) { execution in
            let pid = execution.processIdentifier.value
            let stdout = execution.standardOutput
            let stderr = execution.standardError
            await started(pid)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await pump(stdout, name: name, sink: sink) }
                group.addTask { await pump(stderr, name: name, sink: sink) }
            }
        }
        return (result.processIdentifier.value, result.terminationStatus)
    }

    /// Reads one output stream into whole lines for the sink; drains it to end of file.
    static func pump(_ stream: SubprocessOutputSequence, name: String, sink: LogSink) async {
        var splitter = LineSplitter()
        var lines: [ArraySlice<UInt8>] = []
        do {
            for try await buffer in stream {
                buffer.withUnsafeBytes { raw in splitter.feed(raw) { lines.append($0) } }
                sink.write(name, lines: lines)
                lines.removeAll(keepingCapacity: true)
            }
        } catch {
            // A read error ends the stream like end of file.
        }
        splitter.finish { lines.append($0) }
        sink.write(name, lines: lines)
    }
}

extension Environment {
    /// Exactly `variables` (names that cannot be environment keys are left out).
    public static func exactly(_ variables: [String: String]) -> Environment {
        .custom(Dictionary(uniqueKeysWithValues: variables.compactMap { key, value in
            Environment.Key(rawValue: key).map { ($0, value) }
        }))
    }
}
