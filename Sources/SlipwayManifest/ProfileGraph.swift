import SlipwayCore

/// The `extends` relation between profiles.
enum ProfileGraph {
    /// Diagnostics for `extends` naming an unknown profile and for cycles (one per cycle, at the
    /// `extends` of the first profile of the cycle in source order).
    static func validate(_ manifest: Manifest) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let known = manifest.profileNames
        for profile in manifest.profiles.values.sorted(by: { $0.location < $1.location }) {
            guard let target = profile.extends, let at = profile.extendsLocation else { continue }
            if !known.contains(target) {
                problems.append(Diagnostic(.unknownProfile(profile: profile.name, extends: target, known: known), at: at))
            }
        }
        var reported: Set<String> = []
        for profile in manifest.profiles.values.sorted(by: { $0.location < $1.location }) {
            var chain = [profile.name]
            var current = profile.name
            while let next = manifest.parent(of: current), known.contains(next) {
                if let start = chain.firstIndex(of: next) {
                    let cycle = Array(chain[start...]) + [next]
                    if reported.isDisjoint(with: cycle) {
                        reported.formUnion(cycle)
                        let first = cycle.dropLast().compactMap { manifest.profiles[$0] }
                            .min { $0.location < $1.location }
                        let at = first?.extendsLocation ?? profile.location
                        let ordered = rotate(cycle, toStartAt: first?.name ?? profile.name)
                        problems.append(Diagnostic(.extendsCycle(ordered), at: at))
                    }
                    break
                }
                chain.append(next)
                current = next
            }
        }
        return problems
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
    /// The chain's profile-wide settings, `pure` always set (see ``Manifest/settings(chain:)``).
    public var settings = ProfileSettings()
    /// Packages in declaration order (base first, then each overlay's new keys).
    public var packages: [PackageEntry]
    /// Environment entries in declaration order; an overlay replaces a value in place.
    public var env: [EnvEntry]
    /// The overlayable sections as TOML, merged key by key (an overlay's entry replaces the base's).
    public var sections: [String: [(key: String, node: TOMLNode)]]
    /// The chain applied, base-most first, e.g. `["dev", "ci"]`.
    public var chain: [String]
    /// The profile's enabled services, decoded at load; a failure holds the problems that only
    /// matter when this profile's services are used (a missing `command`, the `depends_on` graph).
    public var services: Result<[ServiceSpec], ManifestError> = .success([])
    /// The profile's tasks, decoded at load; a failure holds the problems that only matter when
    /// this profile's tasks are used (a missing `run`, `deps`/`services` names, cycles).
    public var tasks: Result<[TaskSpec], ManifestError> = .success([])
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
        var chain: [String] = []
        var current: String? = profile
        while let name = current, !chain.contains(name) {
            chain.insert(name, at: 0)
            current = parent(of: name)
        }
        var resolved = ResolvedProfile(name: profile, packages: [], env: [], sections: [:], chain: chain)
        apply(base, to: &resolved)
        for name in chain {
            if let layer = profiles[name]?.layer { apply(layer, to: &resolved) }
        }
        resolved.packages.removeAll { $0.spec == nil }
        return resolved
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

    private func apply(_ layer: Layer, to resolved: inout ResolvedProfile) {
        for entry in layer.packages {
            if let i = resolved.packages.firstIndex(where: { $0.key == entry.key }) {
                resolved.packages[i] = entry
            } else {
                resolved.packages.append(entry)
            }
        }
        for entry in layer.env {
            if let i = resolved.env.firstIndex(where: { $0.name == entry.name }) {
                resolved.env[i] = entry
            } else {
                resolved.env.append(entry)
            }
        }
        for (section, node) in layer.sections {
            var merged = resolved.sections[section] ?? []
            for (key, child) in node.entries ?? [] {
                if let i = merged.firstIndex(where: { $0.key == key }) {
                    merged[i] = (key, Self.overlay(merged[i].node, with: child))
                } else {
                    merged.append((key, child))
                }
            }
            resolved.sections[section] = merged
        }
    }
}
