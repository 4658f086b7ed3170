import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline
import SlipwaySupervisor

/// `slipway up [SERVICE...] [-d]`
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the profile's services (and what they depend on).",
        discussion: """
            In the foreground, logs are multiplexed with name prefixes; Ctrl-C stops services in \
            reverse dependency order, a second Ctrl-C kills them all. With -d the supervisor runs \
            in the background and `up` returns once every service is ready (or one failed).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var purity: PurityOptions

    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Run in the background; return when ready.")
    var detach = false

    @Flag(name: .customLong("supervise"), help: .hidden)
    var supervise = false

    @Argument(help: "Services to start (default: all).")
    var services: [String] = []

    func run() async throws {
        let context = try await ServiceContext.load(global, purity: purity)
        let known = context.services.map(\.name)
        for name in services where !known.contains(name) {
            throw SupervisorError.unknownService(name, known: known)
        }
        if context.client.isAlive {
            try await attach(context)
            return
        }
        let specs = ServiceOrder.startOrder(context.services, requested: services)
        if specs.isEmpty {
            Terminal.writeError(
                "slipway: profile '\(context.profile)' has no services; add [services.NAME] to slipway.toml\n")
            return
        }
        if !supervise {
            for warning in try context.checkPrograms(specs) { Terminal.status(warning) }
            try await runBeforeUp(context)
        }
        let ports = try PortClaim.claim(specs, of: context.services, layout: context.layout, profile: context.profile)
        if detach {
            let supervisor = context.detached(requested: services)
            try await supervisor.start()
            let status = try await supervisor.waitUntilSettled(onFailure: { Terminal.write(StatusTable.render($0)) })
            if let status { Terminal.write(StatusTable.render(status)) }
            return
        }
        let host = SupervisorHost(
            configuration: try context.configuration(requested: services, ports: ports),
            socketPath: context.socketPath, logDirectory: context.logDirectory, foreground: !supervise,
            say: { Terminal.writeError($0) })
        let status = try await host.run()
        if !supervise && status.services.contains(where: { $0.state == .failed }) { throw ExitCodeError(code: 1) }
    }

    /// `before_up`: its tasks (skipped when up to date), before any service starts.
    private func runBeforeUp(_ context: ServiceContext) async throws {
        guard let names = context.resolved.settings.beforeUp, !names.isEmpty else { return }
        let session = TaskSession(
            context: context, tasks: try context.manifest.tasks(of: context.resolved, services: context.services))
        let plan = try TaskPlan(session.tasks, requested: names)
        let (outcomes, interrupted) = try await session.run(plan, parallelism: 1, force: false)
        if interrupted { throw ExitCodeError(code: 130) }
        if let failure = outcomes.first(where: { $0.status == .failed }) {
            Terminal.status("before_up task '\(failure.name)' failed; no service was started")
            throw ExitCodeError(code: failure.exitCode ?? 1)
        }
    }

    /// A supervisor already runs: say so, refuse if it lacks a service, else follow its logs.
    private func attach(_ context: ServiceContext) async throws {
        let status = (try? context.client.send(.init(command: .ps)))?.status
        let pid = status?.supervisorPid ?? 0
        Terminal.writeError("slipway: a supervisor for profile '\(context.profile)' is already running (pid \(pid))\n")
        let managed = status?.services.map(\.name) ?? []
        let missing = ServiceOrder.startOrder(context.services, requested: services).map(\.name)
            .filter { !managed.contains($0) }
        if !missing.isEmpty {
            throw SupervisorError.control(
                "it does not run \(missing.joined(separator: ", ")) (slipway.toml may have changed since it started)\n"
                    + "hint: `slipway down`, then `slipway up` again to apply the manifest")
        }
        if detach || supervise { return }
        Terminal.writeError("slipway: attaching to its logs (Ctrl-C detaches; `slipway down` stops it)\n")
        let names = context.services.map(\.name)
        try await LogFollower(directory: context.logDirectory, services: names).run(lines: 20, follow: true)
    }
}
