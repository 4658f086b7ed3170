import SlipwayCore

/// The typed sections of a manifest, decoded once when it is loaded.
///
/// Consumers read these values (through ``Manifest/resolve(profile:)``, ``Manifest/images()``,
/// ``Manifest/artifacts()`` and ``Manifest/ci(tasks:artifacts:images:checkTasks:)``); no section
/// is decoded from TOML a second time.
public struct ManifestSections: Sendable {
    /// Every built-in and declared profile, resolved, with its services and tasks.
    public var profiles: [String: ResolvedProfile] = [:]
    /// `[images.*]`, in declaration order.
    public var images: [ImageSpec] = []
    /// `[artifacts.*]`, in declaration order.
    public var artifacts: [ArtifactSpec] = []
    /// `[deploy.*]`, in declaration order.
    public var deploy: [DeploySpec] = []
    /// `[ci]`, or its defaults when the manifest has none.
    public var ci = CISpec(location: SourceLocation(file: "slipway.toml", line: 1, column: 1))

    public init() {}
}

/// Decodes the sections of a ``Manifest`` in one pass: every profile's services and tasks, the
/// images, the artifacts and `[ci]`.
///
/// Field problems (wrong types, unknown keys, bad values) go to ``diagnostics`` and fail the load.
/// Problems that matter only when one profile's services or tasks are used (a service without a
/// `command` in a profile nobody runs, a dependency on a service that profile disables) are kept
/// in that profile's ``ResolvedProfile/services`` and ``ResolvedProfile/tasks``.
struct SectionDecoder {
    let manifest: Manifest
    private(set) var diagnostics: [Diagnostic] = []
    private var seen: Set<Diagnostic> = []

    init(manifest: Manifest) { self.manifest = manifest }

    /// Decodes every section; the result's problems are the load's.
    static func decode(_ manifest: Manifest) -> (ManifestSections, [Diagnostic]) {
        var decoder = SectionDecoder(manifest: manifest)
        var sections = ManifestSections()
        let merged = manifest.mergeAll()
        for name in manifest.profileNames {
            if let profile = merged[name] { sections.profiles[name] = decoder.profile(profile) }
        }
        sections.images = decoder.images()
        sections.artifacts = decoder.artifacts()
        sections.deploy = decoder.deployTargets()
        sections.ci = decoder.ci(
            images: sections.images, artifacts: sections.artifacts, profiles: sections.profiles, deploy: sections.deploy)
        return (sections, decoder.diagnostics)
    }

    /// One profile: merged, then its services and tasks decoded.
    mutating func profile(_ name: String) -> ResolvedProfile {
        profile(manifest.merge(profile: name))
    }

    /// One merged profile with its services and tasks decoded.
    mutating func profile(_ merged: ResolvedProfile) -> ResolvedProfile {
        var resolved = merged
        resolved.services = services(of: resolved)
        resolved.tasks = tasks(of: resolved)
        return resolved
    }

    mutating func report(_ problems: [Diagnostic]) {
        for problem in problems where seen.insert(problem).inserted { diagnostics.append(problem) }
    }

    private static func result<T>(_ value: T, _ problems: [Diagnostic]) -> Result<T, ManifestError> {
        problems.isEmpty ? .success(value) : .failure(.invalid(problems.sorted { $0.location < $1.location }))
    }

    static func nearby(_ name: String, in known: [String]) -> String {
        Spelling.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
    }

    // MARK: - Services

    private mutating func services(of profile: ResolvedProfile) -> Result<[ServiceSpec], ManifestError> {
        var decoder = ServiceDecoder()
        var specs: [ServiceSpec] = []
        var problems: [Diagnostic] = []
        var portLocations: [String: SourceLocation] = [:]
        for (name, node) in profile.sections["services"] ?? [] {
            guard let spec = decoder.decode(name: name, node: node) else { continue }
            specs.append(spec)
            portLocations[name] = node["port"]?.valueLocation
            problems += ServiceDecoder.completeness(of: spec, node: node)
        }
        report(decoder.diagnostics)
        report(selectionProblems(profile, specs: specs))
        let selection = profile.settings.services
        let enabled = specs.filter { !$0.disabled && (selection?.keeps($0.name) ?? true) }
        problems += dependencyProblems(enabled, all: specs, profile: profile.name)
        problems += portVariableProblems(specs)
        problems += fixedPortProblems(enabled, locations: portLocations, profile: profile.name)
        if let cycle = ServiceOrder.cycle(in: enabled) {
            let byName = Dictionary(enabled.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let at = byName[cycle[0]]?.dependsOn.first { $0.name == cycle[1] }?.location ?? byName[cycle[0]]?.location
                ?? SourceLocation(file: manifest.file, line: 1, column: 1)
            problems.append(Diagnostic(.dependencyCycle(cycle), at: at))
        }
        return Self.result(enabled, decoder.diagnostics.isEmpty ? problems : decoder.diagnostics)
    }

    private func dependencyProblems(_ enabled: [ServiceSpec], all specs: [ServiceSpec], profile: String) -> [Diagnostic] {
        let byName = Dictionary(enabled.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let declared = Set(specs.map(\.name))
        var problems: [Diagnostic] = []
        for spec in enabled {
            let key = "services.\(spec.name).depends_on"
            for dependency in spec.dependsOn {
                guard let target = byName[dependency.name] else {
                    let reason = declared.contains(dependency.name)
                        ? "service '\(dependency.name)' is disabled in profile '\(profile)'"
                        : "no service named '\(dependency.name)'"
                            + (problems.count < suggestionLimit ? Self.nearby(dependency.name, in: enabled.map(\.name)) : "")
                    problems.append(Diagnostic(.invalidValue(key: key, reason: reason), at: dependency.location))
                    continue
                }
                if dependency.condition == .healthy && target.ready == nil {
                    let reason = "'\(dependency.name)' has no readiness probe, so it can never be healthy; "
                        + "add [services.\(dependency.name)] ready = { ... } or use \"started\""
                    problems.append(Diagnostic(.invalidValue(key: key, reason: reason), at: dependency.location))
                }
            }
        }
        return problems
    }

    /// `services = [...]` naming a service the profile does not have.
    private func selectionProblems(_ profile: ResolvedProfile, specs: [ServiceSpec]) -> [Diagnostic] {
        guard case .only(let names)? = profile.settings.services,
              let at = profile.settings.servicesLocation else { return [] }
        let known = specs.map(\.name)
        return names.filter { !known.contains($0) }.map { name in
            let reason = "profile '\(profile.name)' has no service named '\(name)'" + Self.nearby(name, in: known)
            return Diagnostic(.invalidValue(key: "profiles.\(profile.name).services", reason: reason), at: at)
        }
    }

    private func portVariableProblems(_ specs: [ServiceSpec]) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var portNames: [String: String] = [:]
        for spec in specs.sorted(by: { $0.location < $1.location }) {
            let variable = ServiceSpec.portVariable(spec.name)
            if let other = portNames[variable] {
                let reason = "services '\(other)' and '\(spec.name)' would both export \(variable); rename one"
                problems.append(Diagnostic(.invalidValue(key: "services.\(spec.name)", reason: reason), at: spec.location))
            } else {
                portNames[variable] = spec.name
            }
        }
        return problems
    }

    /// Two enabled services of one profile with the same fixed port: the second could never bind it.
    private func fixedPortProblems(
        _ enabled: [ServiceSpec], locations: [String: SourceLocation], profile: String
    ) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var owners: [Int: String] = [:]
        for spec in enabled.sorted(by: { (locations[$0.name] ?? $0.location) < (locations[$1.name] ?? $1.location) }) {
            guard case .fixed(let port)? = spec.port else { continue }
            guard let other = owners[port] else { owners[port] = spec.name; continue }
            let reason = "services '\(other)' and '\(spec.name)' both use port \(port) in profile '\(profile)'; "
                + "give one another port, or port = \"auto\""
            problems.append(Diagnostic(
                .invalidValue(key: "services.\(spec.name).port", reason: reason), at: locations[spec.name] ?? spec.location))
        }
        return problems
    }

    // MARK: - Tasks

    private mutating func tasks(of profile: ResolvedProfile) -> Result<[TaskSpec], ManifestError> {
        var decoder = PipelineDecoder(root: manifest.root)
        var specs: [TaskSpec] = []
        var problems: [Diagnostic] = []
        for (name, node) in profile.sections["tasks"] ?? [] {
            guard let spec = decoder.task(name: name, node: node) else { continue }
            specs.append(spec)
            problems += PipelineDecoder.completeness(of: spec, node: node)
        }
        report(decoder.diagnostics)
        guard decoder.diagnostics.isEmpty else { return Self.result(specs, decoder.diagnostics) }
        if case .failure(let error) = profile.services { return .failure(error) }
        let services = (try? profile.services.get()) ?? []
        problems += graphProblems(specs, services: services.map(\.name), profile: profile.name, locations: decoder.locations)
        if let names = profile.settings.beforeUp, let at = profile.settings.beforeUpLocation {
            let known = specs.map(\.name)
            for name in names where !known.contains(name) {
                let reason = "no task named '\(name)'" + Self.nearby(name, in: known)
                problems.append(Diagnostic(.invalidValue(key: "before_up", reason: reason), at: at))
            }
        }
        return Self.result(specs, problems)
    }

    private func graphProblems(
        _ specs: [TaskSpec], services: [String], profile: String, locations: [String: SourceLocation]
    ) -> [Diagnostic] {
        // Keys are `tasks.T.deps/NAME` or `profiles.P.tasks.T.deps/NAME`: indexed from `tasks.`.
        var byTaskKey: [Substring: SourceLocation] = [:]
        for (key, location) in locations.sorted(by: { $0.key < $1.key }) {
            let suffix = key.hasPrefix("tasks.") ? key[...] : key.firstRange(of: ".tasks.").map { key[$0.lowerBound...].dropFirst() }
            if let suffix, byTaskKey[suffix] == nil { byTaskKey[suffix] = location }
        }
        func at(_ task: TaskSpec, _ field: String, _ name: String) -> SourceLocation {
            byTaskKey[Substring("tasks.\(task.name).\(field)/\(name)")] ?? task.location
        }
        var problems: [Diagnostic] = []
        let names = specs.map(\.name)
        let known = Set(names)
        let serviceNames = Set(services)
        for task in specs {
            for dep in task.deps where !known.contains(dep) {
                let reason = "no task named '\(dep)'" + (problems.count < suggestionLimit ? Self.nearby(dep, in: names) : "")
                problems.append(Diagnostic(.invalidValue(key: "tasks.\(task.name).deps", reason: reason), at: at(task, "deps", dep)))
            }
            for service in task.services where !serviceNames.contains(service) {
                let reason = "profile '\(profile)' has no service named '\(service)'"
                    + (problems.count < suggestionLimit ? Self.nearby(service, in: services) : "")
                let key = "tasks.\(task.name).services"
                problems.append(Diagnostic(.invalidValue(key: key, reason: reason), at: at(task, "services", service)))
            }
        }
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = specs.sorted { $0.location < $1.location }.map(\.name)
        if let cycle = DependencyOrder.cycle(ordered, edges: { byName[$0]?.deps ?? [] }), let first = byName[cycle[0]] {
            problems.append(Diagnostic(.taskCycle(cycle), at: at(first, "deps", cycle[1])))
        }
        return problems
    }
}
