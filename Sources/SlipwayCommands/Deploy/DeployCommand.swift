import ArgumentParser
import SlipwayDeploy
import SlipwayImage
import SlipwayManifest

/// `slipway deploy NAME [--host H] [--dry-run] [--status] [--json] [--nixos-module] [--render [--output FILE]]`
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract:
            "Deploy a [deploy.NAME] target: transfer the release, switch under systemd, check health, "
            + "roll back on failure; or apply it to Kubernetes."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this host (as written in hosts, or its host name); repeatable.") var host: [String] = []
    @Flag(help: "Check the hosts and show what would change; change nothing.") var dryRun = false
    @Flag(help: "Show each host's current release and drift instead of deploying.") var status = false
    @Flag(help: "Print the outcome as JSON.") var json = false
    @Flag(help: "Print the NixOS module that declares a closure target's unit (add it once to the host).")
    var nixosModule = false
    @Flag(help: "Kubernetes: print the Deployment/Service/Secret YAML (secret values redacted); apply nothing.")
    var render = false
    @Option(help: "With --render: write the YAML, secret values included, to this file (mode 0600).")
    var output: String?
    @Argument(help: "The deploy target ([deploy.NAME]).") var target: String

    func validate() throws {
        if output != nil && !render { throw ValidationError("--output goes with --render") }
        if nixosModule && render { throw ValidationError("give one of --nixos-module and --render") }
    }

    func run() async throws {
        let setup = try DeploySetup.load(global, target: target, host: host, quiet: json || nixosModule || render)
        if setup.spec.mode == .kubernetes && (dryRun || status || !host.isEmpty) {
            throw ValidationError("--dry-run, --status and --host are for hosts; a Kubernetes target has --render")
        }
        if status {
            var query = ReleaseQuery(spec: setup.spec, context: setup.context)
            query.hosts = setup.hosts
            try ReleasesCommand.render(target: target, await query.run(), json: json)
            return
        }
        let catalog = try ImageCatalog.load(global)
        let source = ProjectReleaseSource(catalog: catalog, manifest: setup.manifest, layout: setup.layout)
        if nixosModule {
            Terminal.write(try source.nixosModule(setup.spec).render())
            return
        }
        if setup.spec.mode == .kubernetes {
            try await kubernetes(KubernetesDeploy(spec: setup.spec, source: source, context: setup.context))
            return
        }
        if render { throw ValidationError("--render is for mode \"kubernetes\"; [deploy.\(target)] is another mode") }
        var run = DeployRun(spec: setup.spec, source: source, context: setup.context)
        run.hosts = setup.hosts
        run.dryRun = dryRun
        try DeploySetup.finish(try await run.run(), json: json)
    }

    private func kubernetes(_ deploy: KubernetesDeploy) async throws {
        if render {
            if let output { try await deploy.writeRendered(to: output) } else {
                Terminal.write(try await deploy.render(secretValues: false))
            }
            return
        }
        try DeploySetup.finish(try await deploy.run(), json: json)
    }
}
