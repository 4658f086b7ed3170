import SlipwayCore

extension Manifest {
    /// The deploy targets (`[deploy.*]`), validated against the manifest's profiles and images.
    ///
    /// - Throws: ``ManifestError/invalid(_:)`` with every problem, located.
    public func deployTargets() throws(ManifestError) -> [DeploySpec] { sections.deploy }

    /// The target named `name`.
    /// - Throws: ``ManifestError/invalid(_:)``, or ``DeployTargetError`` when there is no such target.
    public func deployTarget(_ name: String) throws -> DeploySpec {
        let specs = try deployTargets()
        guard let spec = specs.first(where: { $0.name == name }) else {
            throw DeployTargetError(name: name, known: specs.map(\.name))
        }
        return spec
    }

}

extension SectionDecoder {
    /// `[deploy.*]`, with the profiles and images the targets name checked.
    mutating func deployTargets() -> [DeploySpec] {
        let (specs, problems) = manifest.decodeDeployTargets()
        report(problems)
        return specs
    }
}

extension Manifest {
    fileprivate func decodeDeployTargets() -> ([DeploySpec], [Diagnostic]) {
        var decoder = DeployDecoder()
        decoder.root = root
        var specs: [DeploySpec] = []
        guard let section = base.sections["deploy"] else { return ([], []) }
        guard let entries = section.entries else {
            return ([], [.wrongType(section, expected: "a table of [deploy.NAME] targets")])
        }
        for (name, node) in entries {
            if let spec = decoder.decode(name: name, node: node) { specs.append(spec) }
        }
        var problems = decoder.diagnostics
        let imageNames = (base.sections["images"]?.entries ?? []).map(\.key)
        for spec in specs {
            if !profileNames.contains(spec.profile) {
                problems.append(
                    Diagnostic(
                        .invalidValue(
                            key: "deploy.\(spec.name).profile", reason: "no profile named '\(spec.profile)'"),
                        at: spec.location))
            }
            for image in spec.images where !imageNames.contains(image) {
                let near = Spelling.closest(to: image, in: imageNames).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(
                    Diagnostic(
                        .invalidValue(
                            key: "deploy.\(spec.name).images", reason: "no [images.\(image)]" + near), at: spec.location
                    ))
            }
        }
        return (specs, problems)
    }
}

/// `slipway deploy NAME` named no `[deploy.NAME]`.
public struct DeployTargetError: SlipwayError, Sendable {
    public var name: String
    public var known: [String]

    public var message: String { "no deploy target '\(name)' in the manifest" }
    public var hint: String? {
        if let near = Spelling.closest(to: name, in: known) { return "did you mean '\(near)'?" }
        return known.isEmpty
            ? "add a [deploy.\(name)] table (see docs/deploy.md)" : "targets: \(known.joined(separator: ", "))"
    }
}
