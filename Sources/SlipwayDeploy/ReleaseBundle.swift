import SlipwayCore
import Foundation
import SlipwayManifest
import SlipwayOCI

/// Every file of one release folder on one host, rendered: units, env, record, activation
/// script. Its folder name is `<short id>-<config hash prefix>`.
public struct ReleaseBundle: Sendable {
    public let directory: String
    public let configHash: String
    public let units: [(name: String, text: String)]
    public let script: String
    let envText: String
    let recordText: String
    let imagesText: String
    /// This target's tag of each image (`localhost/slipway/<target>-<image>:<id12>`), what pruning untags.
    let referencesText: String

    /// - Parameters:
    ///   - env: deploy env and resolved secrets, in order (goes only to the 0600 `env` file).
    ///   - runtimePath: podman/docker on the host (image mode).
    ///   - salt: the host's own random salt (`/var/lib/slipway/<target>/salt`, 0600): the config
    ///     hash covers secret values, and a salt nobody else has keeps it from confirming a guess.
    /// - Throws: ``DeployError/secret(name:reason:)`` for a value the env file cannot hold.
    public init(
        spec: DeploySpec, release: Release, env: [(String, String)], runtimePath: String, time: Date, salt: String = ""
    ) throws {
        let format: EnvFile.Format = spec.mode == .image ? .container : .systemd
        envText = try EnvFile.render(env + [("SLIPWAY_RELEASE", release.id)], format: format)
        let provisional = UnitRenderer(spec: spec, runtimePath: runtimePath).units(release, directory: "DIR")
        let hashInput = provisional.map { $0.name + "\n" + $0.text }.joined() + envText
        configHash = Digest.of(Array((salt + "\n" + hashInput).utf8)).hex
        directory = release.shortID + "-" + configHash.prefix(8)
        units = UnitRenderer(spec: spec, runtimePath: runtimePath).units(release, directory: directory)
        script = ActivationScript(
            spec: spec, release: release, directory: directory, units: units.map(\.name),
            runtimePath: runtimePath
        ).render()
        recordText =
            try ReleaseRecord(target: spec.name, release: release, time: time, configHash: configHash).encoded() + "\n"
        if case .images(let images) = release.content {
            imagesText = images.map { $0.id.hex + "\n" }.joined()
            referencesText = images.map { $0.reference + "\n" }.joined()
        } else {
            imagesText = ""
            referencesText = ""
        }
    }

    /// The upload script, fed on stdin to `sh -s` (so the env file never appears in argv):
    /// writes the folder under a temporary name, verifies the units, then renames it, all under
    /// the target's lock (so it never replaces a folder an activation or a dead-man restore uses).
    public func uploadScript(paths: HostPaths, verify: Bool) -> String {
        let final = paths.release(directory)
        let staging = final + ".new"
        var lines = [
            "umask 077", "set -e", "mkdir -p \(paths.releases)",
            "exec 9>\(paths.base)/lock",
            "flock -w 60 9 || { echo 'another deploy or rollback of this target holds its lock' >&2; exit 75; }",
            "rm -rf \(staging)", "mkdir -p \(staging)/units",
        ]
        lines += Self.heredoc(envText, to: "\(staging)/env")
        lines += Self.heredoc(recordText, to: "\(staging)/release.json")
        lines += Self.heredoc(imagesText, to: "\(staging)/images")
        lines += Self.heredoc(referencesText, to: "\(staging)/references")
        lines += Self.heredoc(script, to: "\(staging)/activate.sh")
        for unit in units { lines += Self.heredoc(unit.text, to: "\(staging)/units/\(unit.name)") }
        lines.append("chmod 0644 \(staging)/release.json \(staging)/units/*")
        if verify {
            lines.append(
                "out=$(systemd-analyze verify \(staging)/units/* 2>&1) || { printf '%s\\n' \"$out\" >&2; exit 1; }")
        }
        lines += [
            "if [ -f \(final)/outcome ]; then cp \(final)/outcome \(staging)/outcome; fi",
            "rm -rf \(final)", "mv \(staging) \(final)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func heredoc(_ text: String, to path: String) -> [String] {
        let marker = "SLIPWAY_" + Digest.of(Array(text.utf8)).hex.prefix(16)
        let body = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
        return ["cat > \(path) <<'\(marker)'", body + marker]
    }
}
