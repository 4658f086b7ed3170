import ArgumentParser
import SlipwayDeploy

/// `slipway rollback NAME [--to ID] [--host H] [--json]`
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Go back to a kept release (default: the previous good one), health-checked like a deploy.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "A release id (sha256:… or store path), its folder, or a prefix.") var to: String?
    @Option(help: "Only this host; repeatable.") var host: [String] = []
    @Flag(help: "Print the outcome as JSON.") var json = false
    @Argument(help: "The deploy target ([deploy.NAME]).") var target: String

    func run() async throws {
        let setup = try DeploySetup.loadHosts(global, target: target, host: host, quiet: json)
        var rollback = RollbackRun(spec: setup.spec, context: setup.context)
        rollback.hosts = setup.hosts
        rollback.to = to
        try DeploySetup.finish(await rollback.run(), json: json)
    }
}
