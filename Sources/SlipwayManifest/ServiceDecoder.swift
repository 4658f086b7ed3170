import SlipwayCore

/// Reads `[services.NAME]` tables into ``ServiceSpec`` values, collecting diagnostics.
struct ServiceDecoder: DiagnosticCollector {
    static let keys = ["command", "setup", "cwd", "env", "port", "depends_on", "ready", "restart", "max_restarts",
                       "stop_signal", "stop_timeout", "user", "disabled"]
    static let probeKeys = ["exec", "http", "tcp", "log", "period", "timeout", "failure_threshold", "start_timeout"]

    var diagnostics: [Diagnostic] = []

    /// Decodes one service. With `requireCommand == false` (a profile's partial overlay) a
    /// missing `command` is not an error and `nil` is returned only for type errors.
    mutating func decode(name: String, node: TOMLNode, requireCommand: Bool) -> ServiceSpec? {
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
        for (key, value) in fields {
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
                add(.unknownKey(key: key, table: node.dottedPath, suggestion: Spelling.closest(to: key, in: Self.keys), allowed: Self.keys), value.keyLocation)
            }
        }
        if requireCommand && spec.command.isEmpty && fields.first(where: { $0.key == "command" }) == nil {
            add(.invalidValue(key: node.dottedPath, reason: "a service needs a 'command'"), node.keyLocation)
        }
        if let probe = spec.ready, case .http(let target) = probe.kind, !target.contains("://"), spec.port == nil, requireCommand {
            add(.invalidValue(key: node.dottedPath + ".ready", reason: "an http probe on a path needs the service's 'port'"), node.keyLocation)
        }
        if let probe = spec.ready, case .tcp(0) = probe.kind, spec.port == nil, requireCommand {
            add(.invalidValue(key: node.dottedPath + ".ready", reason: "tcp = \"$PORT\" needs the service's 'port'"), node.keyLocation)
        }
        return diagnostics.count == before ? spec : nil
    }

    private mutating func probe(_ node: TOMLNode, port: ServiceSpec.Port?) -> ServiceSpec.ReadinessProbe? {
        guard let fields = table(node) else { return nil }
        var kind: ServiceSpec.ProbeKind?
        var probe = ServiceSpec.ReadinessProbe(kind: .tcp(0))
        var kinds = 0
        for (key, value) in fields {
            switch key {
            case "exec": kinds += 1; if let s = string(value) { kind = .exec(s) }
            case "http":
                kinds += 1
                if let s = string(value) {
                    if s.hasPrefix("https://") {
                        add(.invalidValue(key: value.dottedPath, reason: "https probes are not supported; probe the plain-HTTP port, or use exec = \"curl -fsk ...\""), value.valueLocation)
                    } else if !(s.hasPrefix("/") || s.hasPrefix("http://")) {
                        add(.invalidValue(key: value.dottedPath, reason: "use a path such as \"/health\" or a full http:// URL"), value.valueLocation)
                    } else {
                        kind = .http(s)
                    }
                }
            case "tcp":
                kinds += 1
                // A port number, or "$PORT" for the service's own port.
                if case .string("$PORT") = value.value { kind = .tcp(0) } else if let n = integer(value) {
                    if (1...65535).contains(n) { kind = .tcp(n) } else { add(.invalidValue(key: value.dottedPath, reason: "a port is between 1 and 65535, or \"$PORT\""), value.valueLocation) }
                }
            case "log":
                kinds += 1
                if let s = string(value) {
                    if (try? Regex(s)) == nil { add(.invalidValue(key: value.dottedPath, reason: "not a valid regular expression"), value.valueLocation) }
                    else { kind = .log(s) }
                }
            case "period": if let d = duration(value) { probe.period = d }
            case "timeout": if let d = duration(value) { probe.timeout = d }
            case "start_timeout": if let d = duration(value) { probe.startTimeout = d }
            case "failure_threshold":
                if let n = integer(value) { if n < 1 { add(.invalidValue(key: value.dottedPath, reason: "must be 1 or more"), value.valueLocation) } else { probe.failureThreshold = n } }
            default:
                add(.unknownKey(key: key, table: node.dottedPath, suggestion: Spelling.closest(to: key, in: Self.probeKeys), allowed: Self.probeKeys), value.keyLocation)
            }
        }
        if kinds != 1 {
            add(.invalidValue(key: node.dottedPath, reason: "give exactly one of exec, http, tcp or log"), node.valueLocation)
            return nil
        }
        guard let kind else { return nil }
        probe.kind = kind
        return probe
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
    /// The services of a resolved profile, enabled ones only, validated as a graph.
    ///
    /// - Throws: ``ManifestError/invalid(_:)`` for field errors, a missing `command`, a
    ///   dependency on an unknown service, a `healthy` dependency on a service without a
    ///   readiness probe, or a cycle in `depends_on`.
    public func services(of profile: ResolvedProfile) throws(ManifestError) -> [ServiceSpec] {
        var decoder = ServiceDecoder()
        var specs: [ServiceSpec] = []
        for (name, node) in profile.sections["services"] ?? [] {
            if let spec = decoder.decode(name: name, node: node, requireCommand: true) { specs.append(spec) }
        }
        var problems = decoder.diagnostics
        let enabled = specs.filter { !$0.disabled }
        let byName = Dictionary(enabled.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for spec in enabled {
            for dependency in spec.dependsOn {
                guard let target = byName[dependency.name] else {
                    let known = enabled.map(\.name)
                    let reason = specs.contains(where: { $0.name == dependency.name })
                        ? "service '\(dependency.name)' is disabled in profile '\(profile.name)'"
                        : "no service named '\(dependency.name)'" + (Spelling.closest(to: dependency.name, in: known).map { "; did you mean '\($0)'?" } ?? "")
                    problems.append(Diagnostic(.invalidValue(key: "services.\(spec.name).depends_on", reason: reason), at: dependency.location))
                    continue
                }
                if dependency.condition == .healthy && target.ready == nil {
                    problems.append(Diagnostic(.invalidValue(
                        key: "services.\(spec.name).depends_on",
                        reason: "'\(dependency.name)' has no readiness probe, so it can never be healthy; add [services.\(dependency.name)] ready = { ... } or use \"started\""),
                        at: dependency.location))
                }
            }
        }
        var portNames: [String: String] = [:]
        for spec in specs.sorted(by: { $0.location < $1.location }) {
            let variable = ServiceSpec.portVariable(spec.name)
            if let other = portNames[variable] {
                problems.append(Diagnostic(.invalidValue(
                    key: "services.\(spec.name)", reason: "services '\(other)' and '\(spec.name)' would both export \(variable); rename one"), at: spec.location))
            } else {
                portNames[variable] = spec.name
            }
        }
        if let cycle = ServiceOrder.cycle(in: enabled) {
            let at = byName[cycle[0]]?.dependsOn.first { $0.name == cycle[1] }?.location ?? byName[cycle[0]]?.location
                ?? SourceLocation(file: file, line: 1, column: 1)
            problems.append(Diagnostic(.dependencyCycle(cycle), at: at))
        }
        if !problems.isEmpty { throw .invalid(problems.sorted { $0.location < $1.location }) }
        return enabled
    }

    /// Field-level diagnostics of every `[services.*]` table of the base and of each profile.
    func serviceDiagnostics() -> [Diagnostic] {
        var decoder = ServiceDecoder()
        for (name, node) in base.sections["services"]?.entries ?? [] {
            _ = decoder.decode(name: name, node: node, requireCommand: false)
        }
        for profile in profiles.values {
            for (name, node) in profile.layer.sections["services"]?.entries ?? [] {
                _ = decoder.decode(name: name, node: node, requireCommand: false)
            }
        }
        return decoder.diagnostics
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
        var ordered: [ServiceSpec] = []
        var seen: Set<String> = []
        func visit(_ name: String) {
            guard !seen.contains(name), let spec = byName[name] else { return }
            seen.insert(name)
            for dependency in spec.dependsOn { visit(dependency.name) }
            ordered.append(spec)
        }
        for name in requested.isEmpty ? services.map(\.name) : requested { visit(name) }
        return ordered
    }
}
