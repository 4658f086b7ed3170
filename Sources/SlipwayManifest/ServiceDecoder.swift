import SlipwayCore

/// Reads `[services.NAME]` tables into ``ServiceSpec`` values, collecting diagnostics.
struct ServiceDecoder: DiagnosticCollector {
    static let keys = ["command", "setup", "cwd", "env", "port", "depends_on", "ready", "restart", "max_restarts",
                       "stop_signal", "stop_timeout", "user", "disabled"]
    static let probeKeys = ["exec", "http", "tcp", "log", "unix", "ca", "insecure", "period", "timeout",
                            "failure_threshold", "start_timeout"]

    var diagnostics: [Diagnostic] = []

    /// Decodes one service's fields; `nil` when a field is wrong. Whether the service is complete
    /// (has a `command`, a port for its probe) is ``completeness(of:node:)``'s question.
    mutating func decode(name: String, node: TOMLNode) -> ServiceSpec? {
        guard let fields = node.entries else {
            add(.wrongType(key: node.dottedPath, expected: "a table", found: "a \(node.typeName)"), node.valueLocation)
            return nil
        }
        if !Identifiers.isName(name) {
            add(.invalidValue(key: node.dottedPath, reason: "service names use letters, digits, '_' and '-'"), node.keyLocation)
            return nil
        }
        if ["logs", "supervisor"].contains(name) {
            add(.invalidValue(key: node.dottedPath, reason: "'\(name)' is reserved (.slipway/state/<profile>/logs/ and supervisor.log); choose another name"), node.keyLocation)
            return nil
        }
        var spec = ServiceSpec(name: name, command: "", env: [], dependsOn: [], location: node.keyLocation)
        let before = diagnostics.count
        let preset = preset(of: node, fields: fields)
        if case .some(.some(let preset)) = preset {
            spec = preset.defaults(spec, options: presetOptions(preset, fields: fields))
        }
        // The service's own keys after the preset's defaults, so each of them overrides one.
        let allowed = Self.keys + ["preset"] + ((preset ?? nil)?.keys ?? [])
        for (key, value) in fields where key != "preset" && !ServicePreset.allKeys.contains(key) {
            field(key, value, of: node, allowed: allowed, into: &spec)
        }
        return diagnostics.count == before ? spec : nil
    }

    /// One `key = value` of a `[services.NAME]` table.
    private mutating func field(
        _ key: String, _ value: TOMLNode, of node: TOMLNode, allowed: [String], into spec: inout ServiceSpec
    ) {
        switch key {
        case "command":
            spec.command = string(value) ?? ""
            if spec.command.allSatisfy(\.isWhitespace) && value.string != nil {
                add(.invalidValue(key: value.dottedPath, reason: "the command is empty"), value.valueLocation)
            }
        case "setup": spec.setup = string(value)
        case "cwd": spec.cwd = string(value)
        case "user": spec.user = string(value)
        case "env": spec.env = env(value)
        case "port":
            switch value.value {
            case .integer(let port) where (1...65535).contains(port): spec.port = .fixed(port)
            case .integer: add(.invalidValue(key: value.dottedPath, reason: "a port is between 1 and 65535"), value.valueLocation)
            case .string("auto"): spec.port = .auto
            case .string(let text):
                let near = Spelling.closest(to: text, in: ["auto"]).map { " (did you mean \"\($0)\"?)" } ?? ""
                add(.invalidValue(key: value.dottedPath, reason: "'\(text)' is not a port: a number (1-65535) or \"auto\"\(near)"), value.valueLocation)
            default: wrongType(value, "a port number or \"auto\"")
            }
        case "depends_on":
            for (dependency, condition) in table(value) ?? [] {
                guard let text = condition.string else { wrongType(condition, "\"started\", \"healthy\" or \"completed_successfully\""); continue }
                guard let parsed = ServiceSpec.Condition(rawValue: text) else {
                    let names = ServiceSpec.Condition.allCases.map(\.rawValue)
                    add(.invalidValue(key: condition.dottedPath, reason: "unknown condition '\(text)'; use \(names.joined(separator: ", "))"
                        + (Spelling.closest(to: text, in: names).map { " (did you mean '\($0)'?)" } ?? "")), condition.valueLocation)
                    continue
                }
                spec.dependsOn.append(.init(name: dependency, condition: parsed, location: condition.keyLocation))
            }
        case "ready": spec.ready = probe(value, port: spec.port)
        case "restart":
            if let text = string(value) {
                if let policy = ServiceSpec.RestartPolicy(rawValue: text) { spec.restart = policy }
                else { add(.invalidValue(key: value.dottedPath, reason: "use \"no\", \"on-failure\" or \"always\""), value.valueLocation) }
            }
        case "max_restarts":
            if let n = integer(value) { if n < 0 { add(.invalidValue(key: value.dottedPath, reason: "must be 0 or more"), value.valueLocation) } else { spec.maxRestarts = n } }
        case "stop_signal":
            switch value.value {
            case .string(let text):
                if let number = Signals.number(text) { spec.stopSignal = number }
                else { add(.invalidValue(key: value.dottedPath, reason: "unknown signal '\(text)'; use SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 or SIGKILL"), value.valueLocation) }
            case .integer(let number) where (1...64).contains(number): spec.stopSignal = Int32(number)
            default: wrongType(value, "a signal name such as \"SIGINT\"")
            }
        case "stop_timeout":
            if let seconds = duration(value) { spec.stopTimeout = seconds }
        case "disabled":
            if let flag = value.bool { spec.disabled = flag } else { wrongType(value, "a boolean") }
        default:
            add(.unknownKey(key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: allowed), allowed: allowed), value.keyLocation)
        }
    }

    /// Problems of a service as one profile runs it (its base and overlays merged): no `command`,
    /// or a probe that needs the service's `port` without one.
    static func completeness(of spec: ServiceSpec, node: TOMLNode) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if spec.command.isEmpty && node.entries?.first(where: { $0.key == "command" }) == nil {
            problems.append(Diagnostic(.invalidValue(key: node.dottedPath, reason: "a service needs a 'command'"), at: node.keyLocation))
        }
        let reason: String? = switch spec.ready?.kind {
        case .http(let target) where !target.contains("://") && spec.port == nil: "an http probe on a path needs the service's 'port'"
        case .tcp(0) where spec.port == nil: "tcp = \"$PORT\" needs the service's 'port'"
        default: nil
        }
        if let reason { problems.append(Diagnostic(.invalidValue(key: node.dottedPath + ".ready", reason: reason), at: node.keyLocation)) }
        return problems
    }

    private mutating func probe(_ node: TOMLNode, port: ServiceSpec.Port?) -> ServiceSpec.ReadinessProbe? {
        guard let fields = table(node) else { return nil }
        var probe = ServiceSpec.ReadinessProbe(kind: .tcp(0))
        var found = ProbeFields()
        for (key, value) in fields {
            switch key {
            case "exec", "http", "tcp", "log", "unix": found.kinds.append((key, value))
            case "ca": found.ca = nonEmpty(value, what: "ca file").map { ($0, value) }
            case "insecure": found.insecure = bool(value).map { ($0, value) }
            case "period": if let d = duration(value) { probe.period = d }
            case "timeout": if let d = duration(value) { probe.timeout = d }
            case "start_timeout": if let d = duration(value) { probe.startTimeout = d }
            case "failure_threshold":
                if let n = integer(value) { if n < 1 { add(.invalidValue(key: value.dottedPath, reason: "must be 1 or more"), value.valueLocation) } else { probe.failureThreshold = n } }
            default:
                add(.unknownKey(key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: Self.probeKeys), allowed: Self.probeKeys), value.keyLocation)
            }
        }
        guard let kind = probeKind(found, node: node) else { return nil }
        probe.kind = kind
        return probe
    }

    /// The check keys of one `ready` table, and the TLS keys of an `https` probe.
    struct ProbeFields {
        var kinds: [(key: String, node: TOMLNode)] = []
        var ca: (String, TOMLNode)?
        var insecure: (Bool, TOMLNode)?
    }

    // MARK: - Helpers

    /// Seconds as a number, or a string such as "500ms", "2s", "1m"; at most one day.
    private mutating func duration(_ node: TOMLNode) -> Double? {
        guard let seconds = parseDuration(node) else { return nil }
        guard seconds <= 86_400 else {
            add(.invalidValue(key: node.dottedPath, reason: "\(seconds) seconds is more than a day"), node.valueLocation)
            return nil
        }
        return seconds
    }

    private mutating func parseDuration(_ node: TOMLNode) -> Double? {
        switch node.value {
        case .integer(let n) where n >= 0: return Double(n)
        case .float(let d) where d >= 0: return d
        case .string(let text):
            let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
            for (suffix, scale) in units where text.hasSuffix(suffix) {
                if let n = Double(text.dropLast(suffix.count)), n >= 0 { return n * scale }
            }
            add(.invalidValue(key: node.dottedPath, reason: "'\(text)' is not a duration; use seconds (2, 0.5) or \"500ms\", \"2s\", \"1m\""), node.valueLocation)
            return nil
        case .integer, .float:
            add(.invalidValue(key: node.dottedPath, reason: "a duration cannot be negative"), node.valueLocation)
            return nil
        default:
            wrongType(node, "a duration in seconds")
            return nil
        }
    }
}

extension Manifest {
    /// The enabled services of a resolved profile (decoded once, at load).
    ///
    /// - Throws: ``ManifestError/invalid(_:)`` for a missing `command`, a dependency on an unknown
    ///   or disabled service, a `healthy` dependency on a service without a readiness probe, two
    ///   services exporting the same port variable, or a cycle in `depends_on`.
    public func services(of profile: ResolvedProfile) throws(ManifestError) -> [ServiceSpec] {
        try profile.services.get()
    }
}

/// Ordering of services by `depends_on`.
public enum ServiceOrder {
    /// A dependency cycle as names, first repeated at the end (`a -> b -> a`), or `nil`.
    public static func cycle(in services: [ServiceSpec]) -> [String]? {
        let byName = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return DependencyOrder.cycle(services.sorted { $0.location < $1.location }.map(\.name)) { name in
            byName[name]?.dependsOn.map(\.name) ?? []
        }
    }

    /// `requested` and everything they depend on, dependencies first (stable by declaration).
    /// An empty `requested` means every service.
    public static func startOrder(_ services: [ServiceSpec], requested: [String]) -> [ServiceSpec] {
        let byName = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let roots = (requested.isEmpty ? services.map(\.name) : requested).filter { byName[$0] != nil }
        let names = DependencyOrder.closure(roots) { name in
            byName[name]?.dependsOn.map(\.name).filter { byName[$0] != nil } ?? []
        }
        return names.compactMap { byName[$0] }
    }
}
