import SlipwayCore

/// Depth-first helpers over a graph of named nodes (tasks and their `deps`, services and their
/// `depends_on`). Both are iterative and linear in nodes plus edges, so a chain thousands long
/// neither overflows the stack nor takes long.
public enum DependencyOrder {
    /// A cycle as names, first repeated at the end (`a -> b -> a`), or `nil`. `edges` lists a
    /// node's dependencies; unknown names are ignored.
    public static func cycle(_ nodes: [String], edges: (String) -> [String]) -> [String]? {
        let known = Set(nodes)
        var done: Set<String> = []
        for node in nodes where !done.contains(node) {
            // The current path, each node with its dependencies and how many were followed.
            var path: [(name: String, next: [String], followed: Int)] = [(node, edges(node), 0)]
            var onPath: [String: Int] = [node: 0]
            while let top = path.last {
                guard top.followed < top.next.count else {
                    done.insert(top.name)
                    onPath[top.name] = nil
                    path.removeLast()
                    continue
                }
                let next = top.next[top.followed]
                path[path.count - 1].followed += 1
                guard known.contains(next), !done.contains(next) else { continue }
                if let i = onPath[next] { return path[i...].map(\.name) + [next] }
                onPath[next] = path.count
                path.append((next, edges(next), 0))
            }
        }
        return nil
    }

    /// `requested` and everything they depend on, dependencies first (each node after all of
    /// its dependencies, in the order `edges` lists them; a cycle is cut where it closes).
    public static func closure(_ requested: [String], edges: (String) -> [String]) -> [String] {
        var ordered: [String] = []
        var seen: Set<String> = []
        for root in requested where seen.insert(root).inserted {
            var path: [(name: String, next: [String], followed: Int)] = [(root, edges(root), 0)]
            while let top = path.last {
                guard top.followed < top.next.count else {
                    ordered.append(top.name)
                    path.removeLast()
                    continue
                }
                let next = top.next[top.followed]
                path[path.count - 1].followed += 1
                if seen.insert(next).inserted { path.append((next, edges(next), 0)) }
            }
        }
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
