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
    /// The tasks of a resolved profile (decoded once, at load).
    ///
    /// - Throws: ``ManifestError/invalid(_:)`` for a missing `run`, `deps` naming an unknown task,
    ///   `services` naming a service the profile does not run, or a cycle; or the profile's
    ///   service problems (see ``services(of:)``).
    public func tasks(of profile: ResolvedProfile) throws(ManifestError) -> [TaskSpec] {
        try profile.tasks.get()
    }

    /// `tasks(of:)`; `services` is ignored (the profile's own services were checked at load).
    public func tasks(of profile: ResolvedProfile, services: [ServiceSpec]) throws(ManifestError) -> [TaskSpec] {
        try profile.tasks.get()
    }

    /// `[artifacts.*]`, validated at load.
    public func artifacts() throws(ManifestError) -> [ArtifactSpec] { sections.artifacts }

    /// `[ci]` (defaults when absent), validated at load against the artifacts, the images and the
    /// tasks of its profile. The arguments are ignored.
    public func ci(tasks: [TaskSpec], artifacts: [ArtifactSpec], images: [ImageSpec], checkTasks: Bool = true) throws(ManifestError) -> CISpec {
        sections.ci
    }
}
