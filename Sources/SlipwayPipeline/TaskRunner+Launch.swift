import SlipwayCore
import SlipwayDeploy
import SlipwayEnvironment
import SlipwayManifest
import SlipwayProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TaskRunner {
    /// The arguments `task` gets after `--` (only the requested task has any).
    func arguments(of task: TaskSpec) -> [String] {
        configuration.invocation?.task == task.name ? configuration.invocation?.arguments ?? [] : []
    }

    /// The environment of `task`: the profile's, `SLIPWAY_OUT`, `SLIPWAY_TASK`, the caller's `-e`
    /// overrides, then the task's `env` (expanded in order) without the names overridden.
    func environment(of task: TaskSpec, out: String) -> [String: String] {
        var environment = configuration.environment
        environment["SLIPWAY_OUT"] = out
        environment["SLIPWAY_TASK"] = task.name
        if let guardian = configuration.guardian { environment["SLIPWAY_SUPERVISOR_TOKEN"] = guardian.token }
        for entry in configuration.overrides { environment[entry.name] = entry.value }
        let overridden = Set(configuration.overrides.map(\.name))
        for entry in task.env where !overridden.contains(entry.name) {
            environment[entry.name] = EnvironmentExpansion.expand(entry.value) { environment[$0] }
        }
        return environment
    }

    /// Starts `sh -c RUN` with the task's environment and waits for its group.
    func launch(_ task: TaskSpec, out: String, sink: LogSink) async -> TaskProcess.Status {
        let cwd = task.cwd.map { configuration.root + "/" + $0 } ?? configuration.root
        let arguments = arguments(of: task)
        let attached = configuration.invocation?.attached == true && configuration.invocation?.task == task.name
        sink.note(task.name, "running: " + Self.shown(task, arguments: arguments)
            + (attached ? " (attached to the terminal)" : ""))
        return await TaskProcess.run(
            task.run, arguments: arguments, attached: attached, environment: environment(of: task, out: out),
            cwd: cwd, name: task.name, sink: sink
        ) { pid in
            self.started(pid)
        } ended: { pid in
            self.ended(pid)
        }
    }

    /// `DESCRIPTION (FIRST LINE …)`, or the first line alone, then the arguments.
    static func shown(_ task: TaskSpec, arguments: [String]) -> String {
        let lines = task.run.split(separator: "\n").map(\.trimmingBlanks)
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("set -") }
        let shown = (lines.first ?? "") + (lines.count > 1 ? " …" : "")
        let text = task.description.map { "\($0) (\(shown))" } ?? shown
        return arguments.isEmpty ? text : text + " with arguments: " + ShellQuote.command(arguments)
    }
}
