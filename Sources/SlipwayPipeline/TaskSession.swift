import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayProcess
import SlipwaySupervisor

/// One run of a task plan with its services, as `slipway run` and the CI `tasks` stage do it:
/// ports settled, the profile's environment, a guardian for the task groups, the services
/// the tasks list started (and stopped) through a ``TaskServiceSession``, and Ctrl-C routed
/// to the running tasks (SIGTERM to their groups) and the service waits.
///
/// SlipwaySupervisor is imported for the service session and the control client (starting and
/// stopping services), not for process plumbing, which comes from SlipwayProcess.
public enum TaskSession {
    /// What one run needs from its caller.
    public struct Context: Sendable {
        public var layout: ProjectLayout
        public var profile: String
        /// The profile's services.
        public var services: [ServiceSpec]
        /// The profile's resolved environment (packages, `[env]`).
        public var environment: CachedEnvironment
        /// The environment Slipway itself was started with.
        public var inherited: [String: String]
        /// Where task output is multiplexed (e.g. `STDOUT_FILENO`), or -1.
        public var console: Int32
        /// Status lines for the user (without the `slipway: ` prefix).
        public var say: @Sendable (String) -> Void

        public init(
            layout: ProjectLayout, profile: String, services: [ServiceSpec], environment: CachedEnvironment,
            inherited: [String: String], console: Int32, say: @escaping @Sendable (String) -> Void
        ) {
            self.layout = layout
            self.profile = profile
            self.services = services
            self.environment = environment
            self.inherited = inherited
            self.console = console
            self.say = say
        }
    }

    /// Which tasks, how.
    public struct Request: Sendable {
        public var plan: TaskPlan
        /// Tasks run at once (1 or more).
        public var parallelism: Int
        /// Run tasks even when their fingerprints say they are up to date.
        public var force: Bool
        /// The requested task's arguments and terminal (`slipway run TASK [-i] [-- ARGS]`).
        public var invocation: TaskInvocation?
        /// `-e NAME=VALUE`: wins over the profile's `[env]`, dotenv files and the tasks' `env`.
        public var overrides: [EnvironmentOverride]

        public init(
            plan: TaskPlan, parallelism: Int, force: Bool, invocation: TaskInvocation? = nil,
            overrides: [EnvironmentOverride] = []
        ) {
            self.plan = plan
            self.parallelism = parallelism
            self.force = force
            self.invocation = invocation
            self.overrides = overrides
        }
    }

    /// Runs the plan; returns the outcomes in the order tasks finished and whether the run was
    /// interrupted (SIGINT or SIGTERM). A failed task is an outcome, not an error.
    /// - Throws: ``PortConflictError`` when a fixed port a service needs is taken, and
    ///   ``ProfilePrograms/OutsideProfile`` when a pure profile lacks a program its tasks or their
    ///   services run, before anything starts; ``DotenvFile/SyntaxError``.
    public static func run(_ request: Request, in context: Context) async throws -> TaskRunResult {
        let plan = request.plan
        let wanted = Array(Set(plan.tasks.flatMap(\.services))).sorted()
        let needed = ServiceOrder.startOrder(context.services, requested: wanted)
        var cached = context.environment
        cached.ports = try ports(for: needed, context)
        let environment = try ProcessEnvironment.make(
            cached, inherited: context.inherited, overrides: request.overrides)
        let scripts = HostTools.scripts(plan) + ProfilePrograms.Script.services(needed)
        let warnings = try ProfilePrograms.check(
            scripts, environment: environment, cached: cached, callerPath: context.inherited["PATH"] ?? "")
        let dotenv = try ProcessEnvironment.dotenvDigest(cached, inherited: context.inherited)
        let key = fingerprintKey(cached) + "dotenv\n" + dotenv
            + request.overrides.map { "override \($0.name)=\($0.value)\n" }.joined()
        var configuration = TaskRunner.Configuration(
            root: context.layout.root, profile: context.profile, environment: environment,
            environmentKey: key, outRoot: context.layout.taskOutputRoot(profile: context.profile),
            stateDirectory: context.layout.taskStateDir(profile: context.profile),
            parallelism: request.parallelism, console: context.console)
        configuration.force = request.force
        configuration.invocation = request.invocation
        configuration.overrides = request.overrides
        // If Slipway dies (even by SIGKILL), a watchdog stops the running tasks' groups.
        configuration.guardian = try? GuardianLink(executable: Spawn.currentExecutable())
        defer { configuration.guardian?.finish() }
        for warning in warnings { context.say(warning) }
        let runner = TaskRunner(configuration)
        let planned = needed.map(\.name).filter { name in plan.tasks.contains { $0.services.contains(name) } }
        let supervisor = DetachedSupervisor(
            layout: context.layout, profile: context.profile, services: context.services, requested: planned,
            purity: cached.pure)
        let services = TaskServiceSession(supervisor: supervisor, planned: planned, say: context.say)
        if !planned.isEmpty {
            // Killed by SIGKILL, this run's guardian stops its task groups, then the services.
            configuration.guardian?.onDeath(
                run: TaskServiceSession.releaseCommand(layout: context.layout, profile: context.profile))
        }
        let interrupts = InterruptHandler { runner.cancel(); services.interrupt() }
        defer { interrupts.restore() }
        let outcomes = await runner.run(plan, services: services)
        await services.stopAll()
        return TaskRunResult(outcomes: outcomes, interrupted: runner.isCancelled)
    }

    /// The services' ports: those of the running supervisor, else checked and claimed now.
    static func ports(for needed: [ServiceSpec], _ context: Context) throws -> [String: Int] {
        let client = ControlClient(path: context.layout.controlSocket(profile: context.profile))
        guard let status = try? client.send(.init(command: .ps)).status else {
            return try PortClaim.claim(needed, of: context.services, layout: context.layout, profile: context.profile)
        }
        var ports = ServicePorts.resolve(context.services, stateDir: context.layout.stateDir(profile: context.profile))
        for row in status.services { if let port = row.port { ports[row.name] = port } }
        return ports
    }

    /// What a task's fingerprint takes from the profile: its packages (store paths on PATH) and
    /// its `[env]`, not the manifest's bytes, so editing a comment or another task reruns nothing.
    public static func fingerprintKey(_ cached: CachedEnvironment) -> String {
        var text = "paths\n" + cached.binPaths.joined(separator: "\n") + "\nenv\n"
        for entry in cached.env { text += entry.name + "=" + entry.value + "\n" }
        return text
    }
}

/// What ``TaskSession/run(_:in:)`` returns.
public struct TaskRunResult: Sendable {
    /// One per task that ran or was skipped, in the order they finished.
    public var outcomes: [TaskOutcome]
    /// Whether SIGINT or SIGTERM cut the run short.
    public var interrupted: Bool

    public init(outcomes: [TaskOutcome], interrupted: Bool) {
        self.outcomes = outcomes
        self.interrupted = interrupted
    }
}

extension TaskServiceSession: TaskServices {}
