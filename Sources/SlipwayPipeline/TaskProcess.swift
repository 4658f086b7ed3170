import Foundation
import SlipwaySupervisor
import Subprocess
import SystemPackage

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
        var options = PlatformOptions()
        options.createSession = true
        let env = Environment.custom(Dictionary(
            uniqueKeysWithValues: environment.compactMap { key, value in Environment.Key(rawValue: key).map { ($0, value) } }))
        do {
            let result = try await Subprocess.run(
                .path(FilePath("/bin/sh")), arguments: ["-c", command], environment: env,
                workingDirectory: FilePath(cwd), platformOptions: options,
                input: .none, output: .sequence, error: .sequence
            ) { execution in
                let pid = execution.processIdentifier.value
                started(pid)
                let stdout = execution.standardOutput
                let stderr = execution.standardError
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await pump(stdout, name: name, sink: sink) }
                    group.addTask { await pump(stderr, name: name, sink: sink) }
                }
                return pid
            }
            let pid = result.processIdentifier.value
            let group = ProcessGroup(id: pid)
            // Whatever the task left running in its group is stopped with it.
            if group.isAlive {
                _ = group.signal(SIGTERM)
                if !(await group.waitUntilGone(timeout: 5)) { _ = group.signal(SIGKILL); _ = await group.waitUntilGone(timeout: 5) }
            }
            ended(pid)
            switch result.terminationStatus {
            case .exited(let code): return .exited(code)
            case .signaled(let signal): return .signaled(signal)
            }
        } catch {
            return .couldNotStart(String(describing: error))
        }
    }

    private static func pump(_ stream: SubprocessOutputSequence, name: String, sink: LogSink) async {
        var splitter = LineSplitter()
        var lines: [ArraySlice<UInt8>] = []
        do {
            for try await buffer in stream {
                buffer.withUnsafeBytes { raw in splitter.feed(raw) { lines.append($0) } }
                sink.write(name, lines: lines)
                lines.removeAll(keepingCapacity: true)
            }
        } catch {}
        splitter.finish { lines.append($0) }
        sink.write(name, lines: lines)
    }
}
