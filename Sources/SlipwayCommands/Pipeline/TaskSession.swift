import Dispatch
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline
import SlipwaySupervisor

/// What `run` and `ci` share: the profile's tasks, services and environment, and one run of a
/// plan with Ctrl-C handling (running tasks get SIGTERM, services this run started are stopped).
struct TaskSession {
    let context: ServiceContext
    let tasks: [TaskSpec]

    /// - Throws: ``ManifestError`` (invalid tasks), ``NixError`` (environment build).
    static func load(_ options: GlobalOptions) async throws -> TaskSession {
        let context = try await ServiceContext.load(options)
        let manifest = try ManifestLoader.load(path: context.layout.manifest, displayName: EnvironmentResolver(layout: context.layout).displayName)
        let resolved = try manifest.resolve(profile: options.profile)
        return TaskSession(context: context, tasks: try manifest.tasks(of: resolved, services: context.services))
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
            outRoot: layout.dataDir + "/out/" + context.profile, stateDirectory: layout.dataDir + "/tasks/" + context.profile,
            parallelism: parallelism, console: STDOUT_FILENO)
        configuration.force = force
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
    /// What a task's fingerprint takes from the profile: its packages (store paths on PATH) and
    /// its `[env]`, not the manifest's bytes, so editing a comment or another task reruns nothing.
    static func fingerprintKey(_ cached: CachedEnvironment) -> String {
        var text = "paths\n" + cached.binPaths.joined(separator: "\n") + "\nenv\n"
        for entry in cached.env { text += entry.name + "=" + entry.value + "\n" }
        return text
    }
}

/// Routes SIGINT and SIGTERM to `action` instead of ending the process, until ``restore()``.
final class InterruptHandler: @unchecked Sendable {  // sources are only set in init
    private let sources: [any DispatchSourceSignal]

    init(_ action: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                Terminal.writeError("\nslipway: interrupted; stopping tasks and the services they started\n")
                action()
            }
            source.resume()
            return source
        }
    }

    func restore() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
