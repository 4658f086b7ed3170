import SlipwayCore

/// The sections that name their profile themselves: `[images.*]`, `[artifacts.*]`, `[ci]`.
extension SectionDecoder {
    mutating func images() -> [ImageSpec] {
        var decoder = ImageDecoder(root: manifest.root)
        var specs: [ImageSpec] = []
        for (name, node) in manifest.base.sections["images"]?.entries ?? [] {
            if let spec = decoder.decode(name: name, node: node) { specs.append(spec) }
        }
        report(decoder.diagnostics)
        report(unknownProfiles(specs.map { ("images.\($0.name).profile", $0.profile, $0.location) }))
        return specs
    }

    mutating func artifacts() -> [ArtifactSpec] {
        var decoder = PipelineDecoder(root: manifest.root)
        var specs: [ArtifactSpec] = []
        for (name, node) in manifest.base.sections["artifacts"]?.entries ?? [] {
            if let spec = decoder.artifact(name: name, node: node) { specs.append(spec) }
        }
        report(decoder.diagnostics)
        report(unknownProfiles(specs.map { ("artifacts.\($0.name).profile", $0.profile, $0.location) }))
        report(artifactUses(specs))
        return specs
    }

    /// `artifacts.NAME` in an artifact's expression: a declared `nix` artifact of the same
    /// profile, and no cycle.
    private func artifactUses(_ specs: [ArtifactSpec]) -> [Diagnostic] {
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [Diagnostic] = []
        for spec in specs {
            for name in spec.uses {
                let key = "artifacts.\(spec.name).nix"
                guard let used = byName[name], case .expression = used.source else {
                    let known = specs.filter { if case .expression = $0.source { return $0.name != spec.name } else { return false } }.map(\.name)
                    problems.append(Diagnostic(.invalidValue(key: key, reason: "uses `artifacts.\(name)`, but there is no `nix` artifact named '\(name)'"
                        + Self.nearby(name, in: known) + (known.isEmpty ? "" : " (artifacts: \(known.joined(separator: ", ")))")), at: spec.location))
                    continue
                }
                if used.profile != spec.profile {
                    problems.append(Diagnostic(.invalidValue(key: key, reason: "uses `artifacts.\(name)`, built with profile '\(used.profile)', "
                        + "not '\(spec.profile)'; give both the same `profile`"), at: spec.location))
                }
            }
        }
        if let cycle = DependencyOrder.cycle(specs.map(\.name), edges: { byName[$0]?.uses ?? [] }), let first = byName[cycle[0]] {
            problems.append(Diagnostic(.artifactCycle(cycle), at: first.location))
        }
        return problems
    }

    /// `[ci]` with its names checked; the tasks only when its profile's tasks decoded cleanly
    /// (their own problems are reported when that profile's tasks are used).
    mutating func ci(
        images: [ImageSpec], artifacts: [ArtifactSpec], profiles: [String: ResolvedProfile], deploy: [DeploySpec]
    ) -> CISpec {
        var spec = CISpec(location: SourceLocation(file: manifest.file, line: 1, column: 1))
        guard let node = manifest.base.sections["ci"] else { return spec }
        var decoder = PipelineDecoder(root: manifest.root)
        guard let decoded = decoder.ci(node) else {
            report(decoder.diagnostics)
            return spec
        }
        spec = decoded
        report(unknownProfiles([("ci.profile", spec.profile, spec.location)]))
        // Declared targets, decoded or not: a target with its own problems is reported once, there.
        let targets = (manifest.base.sections["deploy"]?.entries ?? []).map(\.key)
        var checks: [(String, String, [String]?, [String])] = [
            ("artifacts", "artifact", spec.artifacts, artifacts.map(\.name)),
            ("images", "image", spec.images, images.map(\.name)), ("deploy", "deploy target", spec.deploy, targets),
        ]
        if let tasks = try? profiles[spec.profile]?.tasks.get() { checks.insert(("tasks", "task", spec.tasks, tasks.map(\.name)), at: 0) }
        for (field, noun, requested, known) in checks {
            for name in requested ?? [] where !known.contains(name) {
                let reason = "no \(noun) named '\(name)'" + Self.nearby(name, in: known)
                let at = decoder.locations["ci.\(field)/\(name)"] ?? spec.location
                report([Diagnostic(.invalidValue(key: "ci.\(field)", reason: reason), at: at)])
            }
        }
        report(Self.unbuiltDeployImages(spec, deploy: deploy, locations: decoder.locations))
        return spec
    }

    /// An image-mode target of `[ci] deploy` runs only images the images stage builds.
    private static func unbuiltDeployImages(
        _ spec: CISpec, deploy: [DeploySpec], locations: [String: SourceLocation]
    ) -> [Diagnostic] {
        guard let built = spec.images else { return [] }
        return deploy.filter { spec.deploy.contains($0.name) && $0.mode != .closure }.flatMap { target in
            target.images.filter { !built.contains($0) }.map { image in
                let reason = "target '\(target.name)' runs image '\(image)', which [ci] images does not build; add it there"
                return Diagnostic(
                    .invalidValue(key: "ci.deploy", reason: reason), at: locations["ci.deploy/\(target.name)"] ?? spec.location)
            }
        }
    }

    /// `profile = "..."` values naming no profile.
    private func unknownProfiles(_ uses: [(key: String, profile: String, location: SourceLocation)]) -> [Diagnostic] {
        uses.filter { !manifest.profileNames.contains($0.profile) }.map {
            Diagnostic(.invalidValue(key: $0.key, reason: "no profile named '\($0.profile)'"), at: $0.location)
        }
    }
}
