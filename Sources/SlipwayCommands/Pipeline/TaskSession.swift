import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline
import SlipwayProcess
import SlipwaySupervisor

/// What `run` and `ci` share: the profile's tasks, services and environment, and one run of a
/// plan with Ctrl-C handling (running tasks get SIGTERM, services this run started are stopped).
struct TaskSession {
    let context: ServiceContext
    let tasks: [TaskSpec]

    /// - Throws: ``ManifestError`` (invalid tasks), ``NixError`` (environment build).
    static func load(_ options: GlobalOptions) async throws -> TaskSession {
        let context = try await ServiceContext.load(options)
        return TaskSession(context: context, tasks: try context.manifest.tasks(of: context.resolved, services: context.services))
    }

    /// Runs `plan`; returns outcomes in the order tasks finished and whether it was interrupted.
    func run(_ plan: TaskPlan, parallelism: Int, force: Bool) async throws -> (outcomes: [TaskOutcome], interrupted: Bool) {
        let layout = context.layout
        let needed = ServiceOrder.startOrder(context.services, requested: Array(Set(plan.tasks.flatMap(\.services))).sorted())
        var cached = context.cached
        if let status = try? context.client.send(.init(command: "ps")).status {
            cached.ports = ServicePorts.resolve(context.services, stateDir: layout.stateDir(profile: context.profile))
            for row in status.services { if let port = row.port { cached.ports[row.name] = port } }
        } else {
            cached.ports = try context.checkPorts(for: needed)
        }
        let environment = ProcessEnvironment.make(cached, inherited: ProcessLauncher.currentEnvironment())
        var configuration = TaskRunner.Configuration(
            root: layout.root, profile: context.profile, environment: environment, environmentKey: Self.fingerprintKey(cached),
            outRoot: layout.taskOutputRoot(profile: context.profile), stateDirectory: layout.taskStateDir(profile: context.profile),
            parallelism: parallelism, console: STDOUT_FILENO)
        configuration.force = force
        // If Slipway dies (even by SIGKILL), a watchdog stops the running tasks' groups.
        configuration.guardian = try? GuardianLink(executable: Spawn.currentExecutable())
        defer { configuration.guardian?.finish() }
        for warning in Self.hostTools(plan, environment: environment) { Terminal.status(warning) }
        let runner = TaskRunner(configuration)
        let services = TaskServiceSession(context: context, planned: needed.map(\.name).filter { name in plan.tasks.contains { $0.services.contains(name) } })
        let interrupts = InterruptHandler { runner.cancel(); services.interrupt() }
        defer { interrupts.restore() }
        let outcomes = await runner.run(plan, services: services)
        await services.stopAll()
        return (outcomes, runner.isCancelled)
    }
}

extension TaskSession {
    /// Shell words that are not programs.
    static let shellWords: Set<String> = [
        "if", "then", "else", "fi", "for", "while", "do", "done", "case", "esac", "set", "cd", "echo", "printf", "test", "[",
        "exit", "true", "false", "export", "exec", "eval", ":", ".", "source", "{", "}", "!", "read", "shift", "unset", "trap", "wait",
        "sh", "bash", "env", "command", "local", "return",
    ]

    /// Warnings for tasks whose first program comes from this machine instead of the profile:
    /// it works here and fails on a CI machine that does not have it.
    static func hostTools(_ plan: TaskPlan, environment: [String: String]) -> [String] {
        var warnings: [String] = []
        for task in plan.tasks {
            let line = task.run.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("set ") } ?? ""
            guard let word = line.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "|" || $0 == "&" }).first.map(String.init),
                  !word.contains("/"), !word.contains("="), !word.contains("$"), !shellWords.contains(word),
                  let path = ProcessLauncher.resolve(word, environment: environment), !path.hasPrefix("/nix/store/") else { continue }
            warnings.append("warning: task '\(task.name)' runs `\(word)` from this machine (\(path)), not from the profile's packages; a CI machine may not have it: add it to [packages]")
        }
        return warnings
    }

    /// What a task's fingerprint takes from the profile: its packages (store paths on PATH) and
    /// its `[env]`, not the manifest's bytes, so editing a comment or another task reruns nothing.
    static func fingerprintKey(_ cached: CachedEnvironment) -> String {
        var text = "paths\n" + cached.binPaths.joined(separator: "\n") + "\nenv\n"
        for entry in cached.env { text += entry.name + "=" + entry.value + "\n" }
        return text
    }
}
