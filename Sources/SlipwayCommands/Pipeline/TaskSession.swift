import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline
import SlipwayProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `run` and `ci` share: the profile's tasks, services and environment, loaded once, and
/// one run of a plan through ``SlipwayPipeline/TaskSession/run(_:in:)``.
struct TaskSession {
    let context: ServiceContext
    let tasks: [TaskSpec]

    /// - Throws: ``ManifestError`` (invalid tasks), ``NixError`` (environment build).
    /// - Parameter purity: `--pure` (`true`), `--impure` (`false`) or neither (`nil`).
    static func load(_ selection: ProjectSelection, purity: Bool? = nil) async throws -> TaskSession {
        // Tasks only start processes: the compact environment file, not the build's closure.
        let context = try await ServiceContext.load(selection, purity: purity, needsBuild: false)
        return TaskSession(
            context: context, tasks: try context.manifest.tasks(of: context.resolved, services: context.services))
    }

    /// Runs `plan`; returns outcomes in the order tasks finished and whether it was interrupted.
    func run(
        _ plan: TaskPlan, parallelism: Int, force: Bool, invocation: TaskInvocation? = nil,
        overrides: [EnvironmentOverride] = []
    ) async throws -> (outcomes: [TaskOutcome], interrupted: Bool) {
        let library = SlipwayPipeline.TaskSession.Context(
            layout: context.layout, profile: context.profile, services: context.services, environment: context.cached,
            inherited: ProcessLauncher.currentEnvironment(), console: STDOUT_FILENO, say: { Terminal.status($0) })
        let request = SlipwayPipeline.TaskSession.Request(
            plan: plan, parallelism: parallelism, force: force, invocation: invocation, overrides: overrides)
        let result = try await SlipwayPipeline.TaskSession.run(request, in: library)
        return (result.outcomes, result.interrupted)
    }
}
