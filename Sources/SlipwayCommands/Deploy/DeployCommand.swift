import ArgumentParser
import SlipwayDeploy
import SlipwayImage

/// `slipway deploy NAME [--host H] [--dry-run] [--status] [--json]`
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract:
            "Deploy a [deploy.NAME] target: transfer the release, switch under systemd, check health, "
            + "roll back on failure."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this host (as written in hosts, or its host name); repeatable.") var host: [String] = []
    @Flag(help: "Check the hosts and show what would change; change nothing.") var dryRun = false
    @Flag(help: "Show each host's current release and drift instead of deploying.") var status = false
    @Flag(help: "Print the outcome as JSON.") var json = false
    @Argument(help: "The deploy target ([deploy.NAME]).") var target: String

    func run() async throws {
        let setup = try DeploySetup.load(global, target: target, host: host, quiet: json)
        if status {
            var query = ReleaseQuery(spec: setup.spec, context: setup.context)
            query.hosts = setup.hosts
            try ReleasesCommand.render(target: target, await query.run(), json: json)
            return
        }
        let catalog = try ImageCatalog.load(global)
        let source = ProjectReleaseSource(catalog: catalog, manifest: setup.manifest, layout: setup.layout)
        var run = DeployRun(spec: setup.spec, source: source, context: setup.context)
        run.hosts = setup.hosts
        run.dryRun = dryRun
        try DeploySetup.finish(try await run.run(), json: json)
    }
}
