import SlipwayEnvironment
import SlipwayManifest
import SlipwayCore

/// The closure-mode program: a POSIX sh file in the store that puts the profile's packages on
/// `PATH`, exports the profile's `[env]` and the service's `env` (expanded by the shell, as
/// Slipway expands them), and execs the service's `command`. Its references are the packages,
/// so `nix copy` of it copies the whole closure.
public struct RunScript: Sendable {
    public let target: String
    public let service: ServiceSpec
    public let environment: CachedEnvironment
    /// `[deploy.NAME] port`, which wins over the service's own port.
    public var port: Int?

    public init(target: String, service: ServiceSpec, environment: CachedEnvironment, port: Int?) {
        self.target = target
        self.service = service
        self.environment = environment
        self.port = port
    }

    /// The script text (`#!/bin/sh`, exports, `exec /bin/sh -c COMMAND`).
    public func render() -> String {
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
}
