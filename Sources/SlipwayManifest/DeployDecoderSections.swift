import SlipwayCore

/// The nested tables of `[deploy.NAME]`: health, secrets, ssh, sudo.
extension DeployDecoder {
    mutating func health(_ node: TOMLNode) -> DeploySpec.Health {
        var health = DeploySpec.Health()
        var kinds = 0
        for (key, value) in table(node) ?? [] {
            switch key {
            case "http":
                kinds += 1
                if let url = string(value) {
                    if url.hasPrefix("http://") {
                        health.check = .http(url)
                    } else {
                        invalid(value, "use a plain http:// URL on the host, e.g. \"http://127.0.0.1:8080/health\"")
                    }
                }
            case "cmd":
                kinds += 1
                if let argv = strings(value) {
                    if argv.isEmpty {
                        invalid(value, "give the program and its arguments, e.g. [\"/bin/check\"]")
                    } else {
                        health.check = .command(argv)
                    }
                }
            case "timeout": health.timeout = duration(value) ?? health.timeout
            case "confirm": health.confirm = duration(value)
            default:
                add(
                    .unknownKey(
                        key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: Self.healthKeys),
                        allowed: Self.healthKeys), value.keyLocation)
            }
        }
        if kinds > 1 {
            add(.invalidValue(key: node.dottedPath, reason: "give one of 'http' or 'cmd', not both"), node.keyLocation)
        }
        if let confirm = health.confirm, confirm <= health.timeout + DeploySpec.startTimeout {
            add(
                .invalidValue(
                    key: node.dottedPath + ".confirm",
                    reason: "the dead-man delay must exceed start (\(Int(DeploySpec.startTimeout)) s) + health timeout"
                        + " (\(Int(health.timeout)) s), or it fires during a slow restart"), node.keyLocation)
        }
        return health
    }

    mutating func secrets(_ node: TOMLNode) -> [DeploySpec.Secret] {
        var result: [DeploySpec.Secret] = []
        for (name, value) in table(node) ?? [] {
            guard Identifiers.isEnvName(name) else {
                add(
                    .invalidValue(key: value.dottedPath, reason: "'\(name)' is not an environment variable name"),
                    value.keyLocation)
                continue
            }
            guard let fields = value.entries, fields.count == 1, let (kind, source) = fields.first,
                let text = source.string
            else {
                invalid(value, "a secret is { env = \"VAR\" }, { file = \"path\" } or { command = \"...\" }")
                continue
            }
            switch kind {
            case "env": result.append(.init(name: name, source: .environment(text), location: value.keyLocation))
            case "file": result.append(.init(name: name, source: .file(text), location: value.keyLocation))
            case "command": result.append(.init(name: name, source: .command(text), location: value.keyLocation))
            default:
                add(
                    .unknownKey(
                        key: kind, table: value.dottedPath, suggestion: suggestion(for: kind, in: Self.secretKeys),
                        allowed: Self.secretKeys), source.keyLocation)
            }
        }
        return result
    }

    mutating func ssh(_ node: TOMLNode) -> DeploySpec.SSH {
        var ssh = DeploySpec.SSH()
        for (key, value) in table(node) ?? [] {
            switch key {
            case "identity": ssh.identity = nonEmpty(value, what: "identity file").map(inProject)
            case "known_hosts": ssh.knownHosts = nonEmpty(value, what: "known-hosts file").map(inProject)
            case "options":
                ssh.options = strings(value) ?? []
                for option in ssh.options where !option.contains("=") || option.hasPrefix("-") {
                    invalid(value, "'\(option)' is not an ssh option Key=Value (as after -o)")
                }
            default:
                add(
                    .unknownKey(
                        key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: Self.sshKeys),
                        allowed: Self.sshKeys), value.keyLocation)
            }
        }
        return ssh
    }

    mutating func sudo(_ node: TOMLNode) -> [String]? {
        guard let argv = strings(node) else { return nil }
        if argv.filter({ $0 == "{}" }).count != 1 {
            invalid(node, "a command template with one \"{}\" for the command, e.g. [\"sudo\", \"-n\", \"--\", \"{}\"]")
            return nil
        }
        return argv
    }

    /// Seconds as a number or "500ms", "2s", "1m"; more than 0, at most a day.
    mutating func duration(_ node: TOMLNode) -> Double? {
        var seconds: Double?
        switch node.value {
        case .integer(let n): seconds = Double(n)
        case .float(let d): seconds = d
        case .string(let text):
            for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(suffix) {
                if let n = Double(text.dropLast(suffix.count)) {
                    seconds = n * scale
                    break
                }
            }
            if seconds == nil {
                invalid(node, "'\(text)' is not a duration; use seconds or \"500ms\", \"60s\", \"2m\"")
                return nil
            }
        default:
            wrongType(node, "a duration in seconds")
            return nil
        }
        guard let seconds, seconds > 0, seconds <= 86_400 else {
            invalid(node, "a duration is above 0 and at most a day")
            return nil
        }
        return seconds
    }
}

extension DeployDecoder {
    /// `path` as written when absolute or `~/…`, else under the manifest's folder.
    func inProject(_ path: String) -> String {
        path.hasPrefix("/") || path.hasPrefix("~") || root.isEmpty ? path : root + "/" + path
    }
}
