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

    static func load(_ global: GlobalOptions, target: String, host: [String], quiet: Bool) throws -> DeploySetup {
        let layout = try global.layout()
        let display = EnvironmentDisplay.name(layout)
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: display)
        let spec = try manifest.deployTarget(target)
        let hosts = try host.map { text in
            guard let match = spec.hosts.first(where: { $0.description == text || $0.host == text }) else {
                throw ValidationErrorText(
                    "--host \(text) is not one of [deploy.\(target)] hosts: "
                        + spec.hosts.map(\.description).joined(separator: ", "))
            }
            return match
        }
        let controls = "/tmp/slipway-ssh-\(getuid())"
        try FileManager.default.createDirectory(
            atPath: controls, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let context = DeployContext(
            runner: ProcessRunner(), progress: { line in if !quiet { Terminal.status(line) } },
            environment: ProcessLauncher.currentEnvironment(), root: layout.root, controlDirectory: controls)
        return DeploySetup(spec: spec, context: context, layout: layout, manifest: manifest, hosts: hosts)
    }

    /// Prints the outcome (text or JSON) and fails with one line per host unless every host succeeded.
    static func finish(_ outcome: DeployOutcome, json: Bool) throws {
        if json {
            Terminal.write(try JSONText.encode(outcome) + "\n")
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

/// Encodes command results as sorted, pretty JSON.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A usage error with a message (ArgumentParser's ValidationError prints usage too).
struct ValidationErrorText: SlipwayError {
    let message: String
    init(_ message: String) { self.message = message }
    var exitCode: Int32 { 64 }
}

enum EnvironmentDisplay {
    static func name(_ layout: ProjectLayout) -> String {
        SlipwayEnvironment.EnvironmentResolver(layout: layout).displayName
    }
}
