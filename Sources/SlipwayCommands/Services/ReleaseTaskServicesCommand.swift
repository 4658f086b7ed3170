import ArgumentParser
import SlipwayCore
import SlipwaySupervisor

/// `slipway __release-task-services` (internal): run by the guardian of a `slipway run` or
/// `slipway ci` that died; see ``TaskServiceSession/release(deadRun:layout:profile:)``.
struct ReleaseTaskServicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__release-task-services", shouldDisplay: false)

    @Option var manifest: String
    @Option var profile: String
    /// The pid of the task run that died.
    @Option var lease: Int32

    func run() async throws {
        await TaskServiceSession.release(deadRun: lease, layout: ProjectLayout(manifest: manifest), profile: profile)
    }
}
