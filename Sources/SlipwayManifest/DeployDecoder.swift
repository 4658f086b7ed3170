import SlipwayCore

/// Reads `[deploy.NAME]` tables into ``DeploySpec`` values, collecting diagnostics.
struct DeployDecoder: DiagnosticCollector {
    static let keys = [
        "profile", "hosts", "mode", "runtime", "network", "images", "image", "service", "port", "keep", "health", "env",
        "secrets", "ssh", "sudo",
    ] + ["nixos"] + kubernetesKeys + pipelineKeys
    /// Read only by the generated CI pipelines (`slipway ci generate`).
    static let pipelineKeys = ["manual", "url"]
    static let imageKeys = ["ports", "volumes", "env"]
    static let healthKeys = ["http", "cmd", "timeout", "confirm"]
    static let sshKeys = ["identity", "known_hosts", "options"]
    static let secretKeys = ["env", "file", "command"]

    /// The manifest's folder: relative `ssh.identity` and `ssh.known_hosts` paths are resolved
    /// against it (as secret files are), whatever folder `slipway` runs in.
    var root = ""

    var diagnostics: [Diagnostic] = []

    mutating func decode(name: String, node: TOMLNode) -> DeploySpec? {
        guard let fields = table(node) else { return nil }
        if !Identifiers.isName(name) {
            invalidKey(node, "deploy target names use letters, digits, '_' and '-'")
            return nil
        }
        var spec = DeploySpec(name: name, location: node.keyLocation)
        let before = diagnostics.count
        for (key, value) in fields { field(key, value, into: &spec, table: node) }
        requireModeKeys(spec, node, given: Set(fields.map(\.key)))
        return diagnostics.count == before ? spec : nil
    }

    private mutating func field(_ key: String, _ value: TOMLNode, into spec: inout DeploySpec, table node: TOMLNode) {
        switch key {
        case "profile": spec.profile = nonEmpty(value, what: "profile") ?? spec.profile
        case "hosts": spec.hosts = hosts(value)
        case "mode": spec.mode = choice(value, DeploySpec.Mode.self) ?? spec.mode
        case "runtime": spec.runtime = choice(value, DeploySpec.Runtime.self) ?? spec.runtime
        case "network": spec.network = choice(value, DeploySpec.Network.self) ?? spec.network
        case "images": spec.images = strings(value) ?? []
        case "image": spec.imageSettings = imageSettings(value)
        case "service": spec.service = nonEmpty(value, what: "service")
        case "port":
            if let n = integer(value) {
                if (1...65535).contains(n) { spec.port = n } else { invalid(value, "a port is between 1 and 65535") }
            }
        case "keep":
            if let n = integer(value) {
                if n < 1 { invalid(value, "keep at least 1 release (the current one)") } else { spec.keep = n }
            }
        case "health": spec.health = health(value)
        case "env": spec.env = env(value)
        case "secrets": spec.secrets = secrets(value)
        case "ssh": spec.ssh = ssh(value)
        case "sudo": spec.sudo = sudo(value)
        case "nixos": spec.nixos = bool(value) ?? false
        case "manual": spec.manual = bool(value) ?? spec.manual
        case "url": spec.url = environmentURL(value)
        default:
            if !kubernetesField(key, value, into: &spec) {
                unknown(key, value, in: node.dottedPath, allowed: Self.keys)
            }
        }
    }

    private mutating func requireModeKeys(_ spec: DeploySpec, _ node: TOMLNode, given: Set<String>) {
        if spec.mode != .kubernetes && !given.contains("hosts") {
            invalidKey(node, "a deploy target needs 'hosts' (at least one user@host[:port])")
        }
        switch spec.mode {
        case .image:
            if spec.images.isEmpty { invalidKey(node, "mode \"image\" needs 'images', the [images] keys to run") }
            if given.contains("service") || given.contains("port") {
                invalidKey(node, "'service' and 'port' are for mode \"closure\"; image mode runs 'images'")
            }
            for name in spec.imageSettings.keys where !spec.images.contains(name) {
                invalidKey(node, "[\(node.dottedPath).image.\(name)] names an image not in 'images'")
            }
        case .closure:
            if spec.service == nil {
                invalidKey(node, "mode \"closure\" needs 'service', a [services] key of the profile")
            }
            for key in ["images", "image", "runtime", "network"] where given.contains(key) {
                invalidKey(node, "'\(key)' is for mode \"image\"")
            }
        case .kubernetes:
            requireKubernetesKeys(spec, node, given: given)
        }
        if spec.mode != .kubernetes {
            for key in Self.kubernetesKeys where given.contains(key) {
                invalidKey(node, "'\(key)' is for mode \"kubernetes\"")
            }
        }
        if spec.mode != .closure && given.contains("nixos") {
            invalidKey(node, "'nixos' is for mode \"closure\" (a NixOS host's unit comes from its configuration)")
        }
    }

    private mutating func requireKubernetesKeys(_ spec: DeploySpec, _ node: TOMLNode, given: Set<String>) {
        if spec.images.isEmpty {
            invalidKey(node, "mode \"kubernetes\" needs 'images', the [images] keys the pods run")
        }
        if spec.kubernetes.registry == nil {
            invalidKey(node, "mode \"kubernetes\" needs 'registry', where the images were pushed (HOST/PATH)")
        }
        let hostKeys = ["hosts", "service", "port", "image", "runtime", "network", "ssh", "sudo"]
        for key in hostKeys where given.contains(key) {
            invalidKey(node, "'\(key)' is not used by mode \"kubernetes\" (kubectl reaches the cluster)")
        }
    }

    private mutating func environmentURL(_ node: TOMLNode) -> String? {
        guard let url = nonEmpty(node, what: "url") else { return nil }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            invalid(node, "the environment's public address, e.g. \"https://app.example.com\"")
            return nil
        }
        return url
    }

    mutating func invalidKey(_ node: TOMLNode, _ reason: String) {
        add(.invalidValue(key: node.dottedPath, reason: reason), node.keyLocation)
    }

    private mutating func choice<T: RawRepresentable & CaseIterable>(_ node: TOMLNode, _: T.Type) -> T?
    where T.RawValue == String {
        guard let text = string(node) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map { "\"\($0.rawValue)\"" }
        invalid(node, "'\(text)' is not one of \(names.joined(separator: ", "))")
        return nil
    }

    private mutating func hosts(_ node: TOMLNode) -> [DeployHost] {
        guard let located = locatedStrings(node) else { return [] }
        if located.isEmpty { invalid(node, "give at least one host, user@host[:port]") }
        var result: [DeployHost] = []
        for (text, at) in located {
            switch DeployHost.parse(text) {
            case .success(let host):
                if result.contains(host) {
                    add(.invalidValue(key: node.dottedPath, reason: "'\(text)' is listed twice"), at)
                }
                result.append(host)
            case .failure(let error):
                add(.invalidValue(key: node.dottedPath, reason: "'\(text)': \(error.reason); use user@host[:port]"), at)
            }
        }
        return result
    }

    private mutating func imageSettings(_ node: TOMLNode) -> [String: DeploySpec.ImageSettings] {
        var result: [String: DeploySpec.ImageSettings] = [:]
        for (image, settingsNode) in table(node) ?? [] {
            var settings = DeploySpec.ImageSettings()
            for (key, value) in table(settingsNode) ?? [] {
                switch key {
                case "ports": settings.ports = portMappings(value)
                case "volumes": settings.volumes = volumes(value)
                case "env": settings.env = env(value)
                default: unknown(key, value, in: settingsNode.dottedPath, allowed: Self.imageKeys)
                }
            }
            result[image] = settings
        }
        return result
    }

    private mutating func portMappings(_ node: TOMLNode) -> [String] {
        guard let located = locatedStrings(node) else { return [] }
        for (text, at) in located {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            let numbers = parts.suffix(2).map { Int($0.split(separator: "/").first ?? "") ?? 0 }
            if !(2...3).contains(parts.count) || numbers.contains(where: { !(1...65535).contains($0) }) {
                add(
                    .invalidValue(
                        key: node.dottedPath, reason: "'\(text)' is not HOST_PORT:CONTAINER_PORT (e.g. \"8080:80\")"),
                    at)
            }
        }
        return located.map(\.0)
    }

    private mutating func volumes(_ node: TOMLNode) -> [String] {
        guard let located = locatedStrings(node) else { return [] }
        for (text, at) in located {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count < 2 || parts[0].isEmpty || !parts[1].hasPrefix("/") {
                add(
                    .invalidValue(
                        key: node.dottedPath, reason: "'\(text)' is not NAME:/path (e.g. \"data:/var/lib/data\")"), at)
            }
        }
        return located.map(\.0)
    }

    private mutating func unknown(_ key: String, _ value: TOMLNode, in table: String, allowed: [String]) {
        add(
            .unknownKey(key: key, table: table, suggestion: Spelling.closest(to: key, in: allowed), allowed: allowed),
            value.keyLocation)
    }
}
