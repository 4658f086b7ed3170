import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayDeploy
import SlipwayEnvironment
import SlipwayManifest
import SlipwayProcess

/// What every deploy command loads: the manifest, the target, a context over the real ssh/nix.
struct DeploySetup {
    let spec: DeploySpec
    let context: DeployContext
    let layout: ProjectLayout
    let manifest: Manifest
    let hosts: [DeployHost]

    /// `load` for the commands that read hosts' release folders (`rollback`, `releases`).
    static func loadHosts(_ global: GlobalOptions, target: String, host: [String], quiet: Bool) throws -> DeploySetup {
        let setup = try load(global, target: target, host: host, quiet: quiet)
        guard setup.spec.mode != .kubernetes else {
            throw ValidationError("[deploy.\(target)] is mode \"kubernetes\": the cluster keeps its revisions; "
                + "use `kubectl rollout undo` / `kubectl rollout history` (slipway deploy undoes a failed rollout itself)")
        }
        return setup
    }

    static func load(_ global: GlobalOptions, target: String, host: [String], quiet: Bool) throws -> DeploySetup {
        let layout = try global.layout()
        let displayName = EnvironmentResolver(layout: layout).displayName
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: displayName)
        let spec = try manifest.deployTarget(target)
        let context = try DeployContext.live(root: layout.root, environment: ProcessLauncher.currentEnvironment()) { line in
            if !quiet { Terminal.status(line) }
        }
        let hosts = try spec.hosts(named: host)
        return DeploySetup(spec: spec, context: context, layout: layout, manifest: manifest, hosts: hosts)
    }

    /// Prints the outcome (text or JSON) and fails with one line per host unless every host succeeded.
    static func finish(_ outcome: DeployOutcome, json: Bool) throws {
        if json {
            Terminal.write(try PrettyJSON.text(outcome) + "\n")
        } else {
            for host in outcome.hosts {
                let time = host.seconds.map { String(format: " in %.1f s", $0) } ?? ""
                Terminal.write("\(host.host): \(host.state.rawValue)\(time)\(host.release.map { " (\($0))" } ?? "")\n")
            }
        }
        guard outcome.succeeded else {
            let lines = outcome.hosts.filter { !outcome.succeededStates.contains($0.state) }.map { host in
                "\(host.host): \(host.state.rawValue)" + (host.message.map { "\n" + $0 } ?? "")
            }
            throw DeployError.hosts(lines)
        }
    }
}

extension DeployOutcome {
    var succeededStates: [State] { [.deployed, .unchanged, .planned] }
}
