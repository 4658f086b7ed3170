import Foundation
import SlipwayCore

/// Turns the TOML tree into a ``Manifest``, recording a ``Diagnostic`` for every problem
/// instead of stopping at the first.
struct ManifestDecoder {
    let root: String
    private(set) var diagnostics: [Diagnostic] = []
    private var settingsDecoder = SettingsDecoder()

    init(root: String) { self.root = root }

    mutating func decode(_ document: TOMLNode, file: String) -> Manifest {
        var manifest = Manifest(
            file: file, root: root, project: Project(), nix: NixSettings(nixpkgs: nil, inputs: []),
            base: Layer(), profiles: [:])
        for (key, node) in document.entries ?? [] {
            switch key {
            case "project": manifest.project = decodeProject(node)
            case "nix": manifest.nix = decodeNix(node)
            case "profiles": manifest.profiles = decodeProfiles(node)
            case _ where settingsDecoder.decode(key, node, into: &manifest.baseSettings, inProfile: false): break
            default:
                if ManifestSchema.layerSections.contains(key) || ManifestSchema.globalSections.contains(key) {
                    decodeLayerSection(key, node, into: &manifest.base, inProfile: false)
                } else {
                    unknown(key, in: node, table: "", allowed: ManifestSchema.root)
                }
            }
        }
        diagnostics += settingsDecoder.diagnostics
        return manifest
    }

    // MARK: - Reporting

    private mutating func unknown(_ key: String, in node: TOMLNode, table: String, allowed: [String]) {
        let suggestion = diagnostics.count < suggestionLimit ? Spelling.closest(to: key, in: allowed) : nil
        diagnostics.append(Diagnostic(
            .unknownKey(key: key, table: table, suggestion: suggestion, allowed: allowed), at: node.keyLocation))
    }

    private mutating func wrongType(_ node: TOMLNode, expected: String) {
        diagnostics.append(.wrongType(node, expected: expected))
    }

    private mutating func invalid(_ node: TOMLNode, _ reason: String) {
        diagnostics.append(Diagnostic(.invalidValue(key: node.dottedPath, reason: reason), at: node.valueLocation))
    }

    /// The node's entries, or a wrong-type diagnostic and `nil`.
    private mutating func table(_ node: TOMLNode) -> [(key: String, node: TOMLNode)]? {
        if let entries = node.entries { return entries }
        wrongType(node, expected: "a table")
        return nil
    }

    private mutating func string(_ node: TOMLNode) -> String? {
        if let text = node.string { return text }
        wrongType(node, expected: "a string")
        return nil
    }

    // MARK: - Sections

    private mutating func decodeProject(_ node: TOMLNode) -> Project {
        var project = Project()
        for (key, child) in table(node) ?? [] {
            switch key {
            case "name":
                if let name = string(child) {
                    if name.isEmpty { invalid(child, "the project name is empty") }
                    project.name = name
                }
            case "description": project.description = string(child)
            case "version": _ = string(child)
            default: unknown(key, in: child, table: "project", allowed: ManifestSchema.project)
            }
        }
        return project
    }

    /// Why `url` is not a binary cache URL Nix takes (`SCHEME://...`, no spaces), or `nil`.
    static func substituterProblem(_ url: String) -> String? {
        let schemes = ["https", "http", "file", "s3", "ssh", "ssh-ng", "daemon", "local"]
        guard let colon = url.range(of: "://"), schemes.contains(String(url[..<colon.lowerBound])) else {
            return "'\(url)' is not a binary cache URL; use https://HOST, file:///FOLDER, s3://BUCKET or ssh://HOST"
        }
        return url.contains(where: \.isWhitespace) ? "'\(url)' contains a space" : nil
    }

    /// Why `key` is not a Nix public key (`NAME:BASE64` of 32 bytes), or `nil`.
    static func publicKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, let bytes = Data(base64Encoded: String(parts[1])), bytes.count == 32 else {
            return "'\(key)' is not a Nix public key; it looks like cache.example.com-1:BASE64 (as `nix key convert-secret-to-public` prints)"
        }
        return nil
    }

    private mutating func decodeNix(_ node: TOMLNode) -> NixSettings {
        var settings = NixSettings(nixpkgs: nil, inputs: [])
        for (key, child) in table(node) ?? [] {
            switch key {
            case "nixpkgs":
                if let ref = flakeRef(child) {
                    settings.nixpkgs = ref
                    settings.nixpkgsLocation = child.valueLocation
                }
            case "inputs":
                for (name, input) in table(child) ?? [] {
                    if name == "nixpkgs" || name == "self" {
                        diagnostics.append(Diagnostic(
                            .invalidValue(key: input.dottedPath, reason: "'\(name)' is reserved; set [nix] nixpkgs instead"),
                            at: input.keyLocation))
                        continue
                    }
                    if !Identifiers.isName(name) {
                        diagnostics.append(Diagnostic(
                            .invalidValue(key: input.dottedPath, reason: "input names use letters, digits, '_' and '-'"),
                            at: input.keyLocation))
                        continue
                    }
                    if let ref = flakeRef(input) { settings.inputs.append((name, ref)) }
                }
            case "substituters":
                settings.substituters = settingsDecoder.strings(child, check: Self.substituterProblem) ?? []
            case "trusted_public_keys":
                settings.trustedPublicKeys = settingsDecoder.strings(child, check: Self.publicKeyProblem) ?? []
            default:
                unknown(key, in: child, table: "nix", allowed: ManifestSchema.nix)
            }
        }
        return settings
    }

    private mutating func flakeRef(_ node: TOMLNode) -> String? {
        guard let text = string(node) else { return nil }
        if text.isEmpty || text.contains(where: { $0 == " " || $0 == "\n" }) {
            invalid(node, "'\(text)' is not a flake reference")
            return nil
        }
        return FlakeRefs.resolve(text, root: root)
    }

    private mutating func decodeProfiles(_ node: TOMLNode) -> [String: ProfileDefinition] {
        var profiles: [String: ProfileDefinition] = [:]
        for (name, child) in table(node) ?? [] {
            if !Identifiers.isName(name) {
                diagnostics.append(Diagnostic(
                    .invalidValue(key: child.dottedPath, reason: "profile names use letters, digits, '_' and '-'"),
                    at: child.keyLocation))
                continue
            }
            var profile = ProfileDefinition(
                name: name, extends: nil, extendsLocation: nil, description: nil, layer: Layer(),
                location: child.keyLocation)
            for (key, value) in table(child) ?? [] {
                switch key {
                case "extends":
                    profile.extends = string(value)
                    profile.extendsLocation = value.valueLocation
                case "description":
                    profile.description = string(value)
                case _ where settingsDecoder.decode(key, value, into: &profile.settings, inProfile: true): break
                default:
                    if ManifestSchema.layerSections.contains(key) {
                        decodeLayerSection(key, value, into: &profile.layer, inProfile: true)
                    } else if ManifestSchema.globalSections.contains(key) {
                        let hint = key == "ci" ? "[ci] has its own `profile` key" : "give [\(key).NAME] a `profile` key instead"
                        diagnostics.append(Diagnostic(
                            .invalidValue(key: value.dottedPath, reason: "[\(key)] is not overlaid by profiles; \(hint)"),
                            at: value.keyLocation))
                    } else if key == "nix" {
                        diagnostics.append(Diagnostic(
                            .invalidValue(key: value.dottedPath, reason: "[nix] is shared by every profile and cannot be overlaid"),
                            at: value.keyLocation))
                    } else {
                        unknown(key, in: value, table: "profiles.\(name)", allowed: ManifestSchema.profile)
                    }
                }
            }
            profiles[name] = profile
        }
        return profiles
    }

    private mutating func decodeLayerSection(_ key: String, _ node: TOMLNode, into layer: inout Layer, inProfile: Bool) {
        switch key {
        case "packages":
            for (name, value) in table(node) ?? [] {
                if let entry = decodePackage(name, value, inProfile: inProfile) { layer.packages.append(entry) }
            }
        case "env":
            for (name, value) in table(node) ?? [] {
                if name == "files", value.elements != nil {
                    layer.envFiles = settingsDecoder.files(value)
                } else if let entry = decodeEnv(name, value) {
                    layer.env.append(entry)
                }
            }
        default:
            if table(node) != nil { layer.sections[key] = node }
        }
    }

    private mutating func decodePackage(_ key: String, _ node: TOMLNode, inProfile: Bool) -> PackageEntry? {
        if !Identifiers.isName(key) {
            diagnostics.append(Diagnostic(
                .invalidValue(key: node.dottedPath, reason: "package names use letters, digits, '_' and '-'"),
                at: node.keyLocation))
            return nil
        }
        switch node.value {
        case .string(let attribute):
            guard Identifiers.isAttributePath(attribute) else {
                invalid(node, "'\(attribute)' is not an attribute path; write an expression as { nix = \"...\" }")
                return nil
            }
            return PackageEntry(key: key, spec: .attribute(attribute), location: node.keyLocation)
        case .bool(false):
            guard inProfile else {
                invalid(node, "'false' removes a package in a profile; in [packages] just leave it out")
                return nil
            }
            return PackageEntry(key: key, spec: nil, location: node.keyLocation)
        case .table(let entries):
            return packageTable(key, node, entries).map { PackageEntry(key: key, spec: $0, location: node.keyLocation) }
        default:
            wrongType(node, expected: inProfile
                ? "an attribute path string, { nix = \"...\" }, { flake = \"...\" } or false"
                : "an attribute path string, { nix = \"...\" } or { flake = \"...\" }")
            return nil
        }
    }

    /// `{ nix = "..." }` or `{ flake = "<ref>#<attr>" }`.
    private mutating func packageTable(_ key: String, _ node: TOMLNode, _ entries: [(key: String, node: TOMLNode)]) -> PackageSpec? {
        var spec: PackageSpec?
        var given: [String] = []
        for (field, value) in entries {
            switch field {
            case "nix":
                given.append(field)
                if let expression = string(value) {
                    if expression.allSatisfy(\.isWhitespace) { invalid(value, "the expression is empty") }
                    else { spec = .expression(expression) }
                }
            case "flake":
                given.append(field)
                if let text = string(value) {
                    guard let hash = text.lastIndex(of: "#"), !text[text.index(after: hash)...].isEmpty,
                          hash != text.startIndex else {
                        invalid(value, "'\(text)' needs the form <flakeref>#<attribute>")
                        continue
                    }
                    let ref = FlakeRefs.resolve(String(text[..<hash]), root: root)
                    spec = .flake(ref: ref, attribute: String(text[text.index(after: hash)...]))
                }
            default:
                unknown(field, in: value, table: node.dottedPath, allowed: ManifestSchema.packageTable)
            }
        }
        if given.count > 1 {
            invalid(node, "give either 'nix' or 'flake', not both")
            return nil
        }
        if given.isEmpty && entries.allSatisfy({ ManifestSchema.packageTable.contains($0.key) }) {
            invalid(node, "a package table needs 'nix' (an expression) or 'flake' (<ref>#<attr>)")
            return nil
        }
        return spec
    }

    private mutating func decodeEnv(_ name: String, _ node: TOMLNode) -> EnvEntry? {
        if !Identifiers.isEnvName(name) {
            diagnostics.append(Diagnostic(
                .invalidValue(key: node.dottedPath, reason: "'\(name)' is not a valid environment variable name"),
                at: node.keyLocation))
            return nil
        }
        let value: String
        switch node.value {
        case .string(let text): value = text
        case .integer(let number): value = String(number)
        case .float(let number): value = String(number)
        case .bool(let flag): value = flag ? "true" : "false"
        default:
            wrongType(node, expected: "a string, number or boolean")
            return nil
        }
        return EnvEntry(name: name, value: value, location: node.keyLocation)
    }
}
