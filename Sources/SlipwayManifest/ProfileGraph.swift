import SlipwayCore

/// The `extends` relation between profiles.
enum ProfileGraph {
    /// Diagnostics for `extends` naming an unknown profile and for cycles (one per cycle, at the
    /// `extends` of the first profile of the cycle in source order).
    ///
    /// Linear in the number of profiles: each profile is walked once (a profile has one parent,
    /// so every walk ends at a profile already walked, at the base, or on a new cycle).
    static func validate(_ manifest: Manifest) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let names = manifest.profileNames
        let known = Set(names)
        let declared = manifest.profiles.values.sorted(by: { $0.location < $1.location })
        for profile in declared {
            guard let target = profile.extends, let at = profile.extendsLocation else { continue }
            if !known.contains(target) {
                problems.append(Diagnostic(.unknownProfile(profile: profile.name, extends: target, known: names), at: at))
            }
        }
        var walked: Set<String> = []
        for profile in declared where !walked.contains(profile.name) {
            var path: [String] = []
            var onPath: [String: Int] = [:]
            var current: String? = profile.name
            while let name = current, known.contains(name), !walked.contains(name), onPath[name] == nil {
                onPath[name] = path.count
                path.append(name)
                current = manifest.parent(of: name)
            }
            if let name = current, let start = onPath[name] {
                problems.append(cycleDiagnostic(Array(path[start...]) + [name], manifest: manifest, fallback: profile))
            }
            walked.formUnion(path)
        }
        return problems
    }

    private static func cycleDiagnostic(_ cycle: [String], manifest: Manifest, fallback: ProfileDefinition) -> Diagnostic {
        let first = cycle.dropLast().compactMap { manifest.profiles[$0] }.min { $0.location < $1.location }
        let at = first?.extendsLocation ?? fallback.location
        return Diagnostic(.extendsCycle(rotate(cycle, toStartAt: first?.name ?? fallback.name)), at: at)
    }

    /// `a -> b -> c -> a` rotated so it starts (and ends) at `name`.
    private static func rotate(_ cycle: [String], toStartAt name: String) -> [String] {
        let ring = Array(cycle.dropLast())
        guard let i = ring.firstIndex(of: name) else { return cycle }
        let rotated = Array(ring[i...] + ring[..<i])
        return rotated + [name]
    }
}

/// One profile with the base and every `extends` ancestor applied: plain values.
public struct ResolvedProfile: Sendable {
    public var name: String
    /// The chain's profile-wide settings, `pure` always set (see
    /// ``Manifest/settings(extending:purity:by:)``).
    public var settings = ProfileSettings()
    /// What the chain so far decided about `pure` (nil: nothing; the base's value then applies).
    var purity: Bool?
    /// Packages in declaration order (base first, then each overlay's new keys).
    public var packages: [PackageEntry]
    /// Environment entries in declaration order; an overlay replaces a value in place.
    public var env: [EnvEntry]
    /// The overlayable sections as TOML, merged key by key (an overlay's entry replaces the base's).
    public var sections: [String: [(key: String, node: TOMLNode)]]
    /// The chain applied, base-most first, e.g. `["dev", "ci"]`.
    public var chain: [String] {
        get {
            var names: [String] = []
            var link = chainEnd
            while let current = link {
                names.append(current.name)
                link = current.previous
            }
            return names.reversed()
        }
        set { chainEnd = newValue.reduce(nil) { ChainLink(name: $1, previous: $0) } }
    }
    /// The chain's last profile; links are shared with the profiles this one builds on, so a
    /// long `extends` chain costs one link per profile, not one copy of the chain each.
    private var chainEnd: ChainLink?
    /// The profile's enabled services, decoded at load; a failure holds the problems that only
    /// matter when this profile's services are used (a missing `command`, the `depends_on` graph).
    public var services: Result<[ServiceSpec], ManifestError> = .success([])
    /// The profile's tasks, decoded at load; a failure holds the problems that only matter when
    /// this profile's tasks are used (a missing `run`, `deps`/`services` names, cycles).
    public var tasks: Result<[TaskSpec], ManifestError> = .success([])

    init(name: String, packages: [PackageEntry], env: [EnvEntry], sections: [String: [(key: String, node: TOMLNode)]]) {
        self.name = name
        self.packages = packages
        self.env = env
        self.sections = sections
    }

    /// `self` with `name` appended to its chain.
    func extended(by name: String) -> ResolvedProfile {
        var next = self
        next.name = name
        next.chainEnd = ChainLink(name: name, previous: chainEnd)
        return next
    }
}

/// One profile of an `extends` chain and the one before it.
private final class ChainLink: Sendable {
    let name: String
    let previous: ChainLink?

    init(name: String, previous: ChainLink?) {
        self.name = name
        self.previous = previous
    }
}

extension Manifest {
    /// The base with each profile from the root of the `extends` chain down to `profile` applied,
    /// and its services and tasks (decoded once, when the manifest was loaded).
    ///
    /// - Throws: ``ManifestError/unknownProfile(_:known:)`` when `profile` is neither built in
    ///   nor declared.
    public func resolve(profile: String) throws(ManifestError) -> ResolvedProfile {
        guard profileNames.contains(profile) else { throw .unknownProfile(profile, known: profileNames) }
        if let decoded = sections.profiles[profile] { return decoded }
        var decoder = SectionDecoder(manifest: self)
        return decoder.profile(profile)
    }

    /// The merged TOML of `profile`, before any section is decoded.
    func merge(profile: String) -> ResolvedProfile {
        var memo: [String: ResolvedProfile] = [:]
        return merge(profile, memo: &memo)
    }

    /// The merged TOML of every profile in `profileNames`, each built on its parent's
    /// (memoised: linear in the number of profiles, however long the `extends` chains).
    func mergeAll() -> [String: ResolvedProfile] {
        var memo: [String: ResolvedProfile] = [:]
        var merged: [String: ResolvedProfile] = [:]
        for name in profileNames { merged[name] = merge(name, memo: &memo) }
        return merged
    }

    /// `profile` merged on its parent's result from `memo`, computing (and keeping) what is
    /// missing. A chain that runs into a cycle (an error ``ProfileGraph`` reports) is cut where
    /// it meets itself again.
    private func merge(_ profile: String, memo: inout [String: ResolvedProfile]) -> ResolvedProfile {
        var pending: [String] = []
        var onPath: Set<String> = []
        var current: String? = profile
        while let name = current, memo[name] == nil, onPath.insert(name).inserted {
            pending.append(name)
            current = parent(of: name)
        }
        var below: ResolvedProfile? = current.flatMap { memo[$0] }
        if below == nil {
            var root = ResolvedProfile(name: "", packages: [], env: [], sections: [:])
            apply(base, to: &root)
            root.settings = rootSettings()
            below = root
        }
        for name in pending.reversed() {
            guard var resolved = below?.extended(by: name) else { break }
            if let layer = profiles[name]?.layer { apply(layer, to: &resolved) }
            (resolved.settings, resolved.purity) = settings(extending: resolved.settings, purity: resolved.purity, by: name)
            memo[name] = resolved
            below = resolved
        }
        var result = memo[profile] ?? below ?? ResolvedProfile(name: profile, packages: [], env: [], sections: [:])
        result.packages.removeAll { $0.spec == nil }
        return result
    }

    /// An overlay entry's fields replace the base entry's fields of the same name; other fields
    /// stay (so `[profiles.prod.services.web] command = "..."` changes only the command).
    static func overlay(_ base: TOMLNode, with top: TOMLNode) -> TOMLNode {
        guard var fields = base.entries, let overrides = top.entries else { return top }
        for (key, value) in overrides {
            if let i = fields.firstIndex(where: { $0.key == key }) { fields[i] = (key, value) } else { fields.append((key, value)) }
        }
        var merged = top
        merged.value = .table(fields)
        return merged
    }

    /// Applies `layer` on `resolved`: new keys are appended, known keys replaced in place
    /// (found through an index, so a layer of n entries costs O(n), not O(n²)).
    private func apply(_ layer: Layer, to resolved: inout ResolvedProfile) {
        Self.upsert(layer.packages, into: &resolved.packages, key: \.key)
        Self.upsert(layer.env, into: &resolved.env, key: \.name)
        for (section, node) in layer.sections {
            var merged = resolved.sections[section] ?? []
            var index = Dictionary(merged.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
            for (key, child) in node.entries ?? [] {
                if let i = index[key] {
                    merged[i] = (key, Self.overlay(merged[i].node, with: child))
                } else {
                    index[key] = merged.count
                    merged.append((key, child))
                }
            }
            resolved.sections[section] = merged
        }
    }

    private static func upsert<Entry>(_ entries: [Entry], into list: inout [Entry], key: KeyPath<Entry, String>) {
        guard !entries.isEmpty else { return }
        var index = Dictionary(list.enumerated().map { ($1[keyPath: key], $0) }, uniquingKeysWith: { first, _ in first })
        for entry in entries {
            if let i = index[entry[keyPath: key]] {
                list[i] = entry
            } else {
                index[entry[keyPath: key]] = list.count
                list.append(entry)
            }
        }
    }
}
