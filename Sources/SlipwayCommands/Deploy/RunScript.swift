import Foundation
import SlipwayDeploy
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix

/// The closure-mode program: a POSIX sh file in the store that puts the profile's packages on
/// `PATH`, exports the profile's `[env]` and the service's `env` (expanded by the shell, as
/// Slipway expands them), and execs the service's `command`. Its references are the packages,
/// so `nix copy` of it copies the whole closure.
struct RunScript {
    let target: String
    let service: ServiceSpec
    let environment: CachedEnvironment
    /// `[deploy.NAME] port`, which wins over the service's own port.
    var port: Int?

    func render() -> String {
        let state = HostPaths(target: target).stateDirectory
        var lines = [
            "#!/bin/sh", "# slipway: [deploy.\(target)] service \(service.name), profile \(environment.profile)",
        ]
        lines.append(
            "PATH=" + ShellQuote.word(environment.binPaths.joined(separator: ":")) + ":/usr/local/bin:/usr/bin:/bin")
        lines.append("export PATH")
        var fixed: [(String, String)] = [
            ("SLIPWAY_ROOT", state), ("SLIPWAY_PROFILE", environment.profile),
            ("SLIPWAY_STATE", state), ("STATE_DIR", state),
        ]
        var ports = environment.ports
        if case .fixed(let fixedPort) = service.port { ports[service.name] = fixedPort }
        if let port { ports[service.name] = port }
        if let own = ports[service.name] { fixed.append(("PORT", String(own))) }
        for (name, number) in ports.sorted(by: { $0.key < $1.key }) {
            fixed.append((ServiceSpec.portVariable(name), String(number)))
        }
        for (name, value) in fixed { lines.append("\(name)=\(ShellQuote.word(value)); export \(name)") }
        for entry in environment.env {
            lines.append("\(entry.name)=\(Self.expanding(entry.value)); export \(entry.name)")
        }
        for entry in service.env { lines.append("\(entry.name)=\(Self.expanding(entry.value)); export \(entry.name)") }
        // The service's `setup` runs before every start, as the dev supervisor runs it.
        if let setup = service.setup { lines.append("/bin/sh -c " + ShellQuote.word(setup) + " || exit $?") }
        lines.append("exec /bin/sh -c " + ShellQuote.word(service.command))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Double quotes: `$VAR` and `${VAR}` expand, nothing else does.
    static func expanding(_ value: String) -> String {
        var text = "\""
        for c in value {
            if "\\\"`".contains(c) { text.append("\\") }
            text.append(c)
        }
        return text + "\""
    }

    /// Writes `text` to the store with `builtins.toFile`, carrying `references` (the
    /// packages' store paths) as the file's references.
    /// - Returns: the store path.
    static func addToStore(_ text: String, name: String, references: [String]) async throws -> String {
        let refs = references.map { "\"\(nixEscape($0))\"" }.joined(separator: " ")
        let expression =
            "builtins.toFile \"\(nixEscape(name))\" (\"\(nixEscape(text))\" + builtins.concatStringsSep \"\" "
            + "(map (p: builtins.substring 0 0 (toString (builtins.storePath p))) [ \(refs) ]))"
        let output = try await NixCommand.locate().run(["eval", "--raw", "--impure", "--expr", expression])
        let path = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard path.hasPrefix("/nix/store/") else {
            throw DeployError.release("nix eval did not print a store path: \(path)")
        }
        return path
    }

    static func nixEscape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "$": out += "\\$"
            default: out.append(c)
            }
        }
        return out
    }
}
