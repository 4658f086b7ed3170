import SlipwayCore

/// Depth-first helpers over a graph of named nodes (tasks and their `deps`).
public enum DependencyOrder {
    /// A cycle as names, first repeated at the end (`a -> b -> a`), or `nil`. `edges` lists a
    /// node's dependencies; unknown names are ignored.
    public static func cycle(_ nodes: [String], edges: (String) -> [String]) -> [String]? {
        let known = Set(nodes)
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ name: String) -> [String]? {
            if state[name] == 2 { return nil }
            if state[name] == 1, let i = stack.firstIndex(of: name) { return Array(stack[i...]) + [name] }
            state[name] = 1
            stack.append(name)
            for next in edges(name) where known.contains(next) {
                if let found = visit(next) { return found }
            }
            stack.removeLast()
            state[name] = 2
            return nil
        }
        for node in nodes { if let found = visit(node) { return found } }
        return nil
    }

    /// `requested` and everything they depend on, dependencies first.
    public static func closure(_ requested: [String], edges: (String) -> [String]) -> [String] {
        var ordered: [String] = []
        var seen: Set<String> = []
        func visit(_ name: String) {
            guard seen.insert(name).inserted else { return }
            for next in edges(name) { visit(next) }
            ordered.append(name)
        }
        for name in requested { visit(name) }
        return ordered
    }
}

extension Manifest {
    /// The tasks of a resolved profile, validated as a graph against its services.
    ///
    /// - Throws: ``ManifestError/invalid(_:)`` for field errors, a missing `run`, `deps` naming an
    ///   unknown task, `services` naming a service the profile does not run, or a cycle.
    public func tasks(of profile: ResolvedProfile, services: [ServiceSpec]) throws(ManifestError) -> [TaskSpec] {
        var decoder = PipelineDecoder(root: root)
        var specs: [TaskSpec] = []
        for (name, node) in profile.sections["tasks"] ?? [] {
            if let spec = decoder.task(name: name, node: node, requireRun: true) { specs.append(spec) }
        }
        var problems = decoder.diagnostics
        let names = specs.map(\.name)
        let serviceNames = services.map(\.name)
        func at(_ task: TaskSpec, _ field: String, _ name: String) -> SourceLocation {
            decoder.locations.first { $0.key.hasSuffix("tasks.\(task.name).\(field)/\(name)") }?.value ?? task.location
        }
        for task in specs {
            for dep in task.deps where !names.contains(dep) {
                let near = Spelling.closest(to: dep, in: names).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(Diagnostic(.invalidValue(key: "tasks.\(task.name).deps", reason: "no task named '\(dep)'\(near)"), at: at(task, "deps", dep)))
            }
            for service in task.services where !serviceNames.contains(service) {
                let near = Spelling.closest(to: service, in: serviceNames).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(Diagnostic(.invalidValue(
                    key: "tasks.\(task.name).services", reason: "profile '\(profile.name)' has no service named '\(service)'\(near)"),
                    at: at(task, "services", service)))
            }
        }
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if let cycle = DependencyOrder.cycle(specs.sorted { $0.location < $1.location }.map(\.name), edges: { byName[$0]?.deps ?? [] }),
           let first = byName[cycle[0]] {
            problems.append(Diagnostic(.taskCycle(cycle), at: at(first, "deps", cycle[1])))
        }
        if !problems.isEmpty { throw .invalid(problems.sorted { $0.location < $1.location }) }
        return specs
    }

    /// `[artifacts.*]`, validated.
    /// - Throws: ``ManifestError/invalid(_:)`` for field errors or an unknown `profile`.
    public func artifacts() throws(ManifestError) -> [ArtifactSpec] {
        var decoder = PipelineDecoder(root: root)
        var specs: [ArtifactSpec] = []
        for (name, node) in base.sections["artifacts"]?.entries ?? [] {
            if let spec = decoder.artifact(name: name, node: node) { specs.append(spec) }
        }
        var problems = decoder.diagnostics
        for spec in specs where !profileNames.contains(spec.profile) {
            problems.append(Diagnostic(.invalidValue(key: "artifacts.\(spec.name).profile", reason: "no profile named '\(spec.profile)'"), at: spec.location))
        }
        if !problems.isEmpty { throw .invalid(problems.sorted { $0.location < $1.location }) }
        return specs
    }

    /// `[ci]` (defaults when absent), with its task, artifact and image names checked.
    ///
    /// Tasks are checked against the tasks of the CI profile.
    /// - Throws: ``ManifestError/invalid(_:)``.
    public func ci(tasks: [TaskSpec], artifacts: [ArtifactSpec], images: [ImageSpec], checkTasks: Bool = true) throws(ManifestError) -> CISpec {
        var decoder = PipelineDecoder(root: root)
        var spec = CISpec(location: SourceLocation(file: file, line: 1, column: 1))
        if let node = base.sections["ci"] {
            guard let decoded = decoder.ci(node) else { throw .invalid(decoder.diagnostics) }
            spec = decoded
        }
        var problems: [Diagnostic] = []
        if !profileNames.contains(spec.profile) {
            problems.append(Diagnostic(.invalidValue(key: "ci.profile", reason: "no profile named '\(spec.profile)'"), at: spec.location))
        }
        let checks: [(String, [String]?, [String])] = [
            ("tasks", spec.tasks, tasks.map(\.name)), ("artifacts", spec.artifacts, artifacts.map(\.name)), ("images", spec.images, images.map(\.name)),
        ]
        for (field, requested, known) in checks where checkTasks || field != "tasks" {
            for name in requested ?? [] where !known.contains(name) {
                let near = Spelling.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                let at = decoder.locations["ci.\(field)/\(name)"] ?? spec.location
                problems.append(Diagnostic(.invalidValue(key: "ci.\(field)", reason: "no \(field.dropLast()) named '\(name)'\(near)"), at: at))
            }
        }
        if !problems.isEmpty { throw .invalid(problems.sorted { $0.location < $1.location }) }
        return spec
    }

    /// Field-level diagnostics of `[tasks.*]` (base and profiles), `[artifacts.*]` and `[ci]`.
    func pipelineDiagnostics() -> [Diagnostic] {
        var decoder = PipelineDecoder(root: root)
        for (name, node) in base.sections["tasks"]?.entries ?? [] { _ = decoder.task(name: name, node: node, requireRun: false) }
        for profile in profiles.values {
            for (name, node) in profile.layer.sections["tasks"]?.entries ?? [] { _ = decoder.task(name: name, node: node, requireRun: false) }
        }
        for (name, node) in base.sections["artifacts"]?.entries ?? [] { _ = decoder.artifact(name: name, node: node) }
        if let node = base.sections["ci"] { _ = decoder.ci(node) }
        return decoder.diagnostics
    }
}
