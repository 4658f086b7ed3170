import SlipwayManifest

/// The 0600 `env` file of a release: `[deploy.NAME.env]`, the resolved secrets and
/// `SLIPWAY_RELEASE`. Image mode writes podman/docker `--env-file` lines (`KEY=value`, taken
/// literally); closure mode writes systemd `EnvironmentFile=` lines (`KEY="value"`, escaped).
public enum EnvFile {
    public enum Format: Sendable { case container, systemd }

    /// - Throws: ``DeployError/secret(name:reason:)`` for a value a container env file cannot
    ///   hold (a newline), naming the variable only.
    public static func render(_ entries: [(String, String)], format: Format) throws -> String {
        var lines: [String] = []
        for (name, value) in entries {
            switch format {
            case .container:
                if value.contains("\n") || value.contains("\r") {
                    throw DeployError.secret(
                        name: name, reason: "a value with a newline cannot go in a container env file")
                }
                lines.append("\(name)=\(value)")
            case .systemd:
                var escaped = ""
                for c in value {
                    switch c {
                    case "\\": escaped += "\\\\"
                    case "\"": escaped += "\\\""
                    case "\n": escaped += "\\n"
                    default: escaped.append(c)
                    }
                }
                lines.append("\(name)=\"\(escaped)\"")
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }
}
