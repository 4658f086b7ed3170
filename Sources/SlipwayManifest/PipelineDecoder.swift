import SlipwayCore

/// Reads `[tasks.NAME]`, `[artifacts.NAME]` and `[ci]`.
struct PipelineDecoder {
    static let taskKeys = [
        "run", "description", "deps", "sequential", "cwd", "env", "services", "inputs", "outputs", "reports",
    ]
    static let artifactKeys = ["nix", "flake", "profile", "description", "include", "exclude", "build_packages"]
    static let ciKeys = ["profile", "tasks", "artifacts", "images", "push", "registry", "tags", "deploy", "deploy_when"]

    let root: String
    var reader = FieldReader()
    var diagnostics: [Diagnostic] { reader.diagnostics }

    init(root: String) { self.root = root }

    /// Decodes one task as a profile runs it (base and overlays merged). A missing `run` is not a
    /// field error: ``completeness(of:node:)`` reports it when the profile's tasks are used.
    mutating func task(name: String, node: TOMLNode) -> TaskSpec? {
        guard let fields = reader.table(node) else { return nil }
        let before = reader.diagnostics.count
        if !Identifiers.isName(name) {
            reader.add(.invalidValue(key: node.dottedPath, reason: "task names use letters, digits, '_' and '-'"), node.keyLocation)
        }
        var spec = TaskSpec(name: name, run: "", location: node.keyLocation)
        for (key, value) in fields {
            switch key {
            case "run": spec.run = reader.nonEmpty(value, what: "command") ?? ""
            case "description": spec.description = reader.string(value)
            case "cwd":
                if let s = reader.string(value) {
                    if s.hasPrefix("/") || s.split(separator: "/").contains("..") {
                        reader.invalid(value, "cwd is a folder inside the project, relative to slipway.toml")
                    } else { spec.cwd = s }
                }
            case "env": spec.env = reader.env(value)
            case "deps": spec.deps = names(value)
            case "sequential": spec.sequential = reader.bool(value) ?? false
            case "services": spec.services = names(value)
            case "inputs": spec.inputs = globs(value, allowOut: false)
            case "outputs": spec.outputs = globs(value, allowOut: true)
            case "reports": spec.reports = globs(value, allowOut: true)
            default: reader.unknown(key, value, in: node.dottedPath, allowed: Self.taskKeys)
            }
        }
        if !spec.outputs.isEmpty && spec.inputs.isEmpty {
            reader.add(.invalidValue(key: node.dottedPath + ".outputs",
                                     reason: "outputs without inputs can never be up to date; add `inputs = [...]`"),
                       node["outputs"]?.keyLocation ?? node.keyLocation)
        }
        return reader.diagnostics.count == before ? spec : nil
    }

    /// A task without a `run` command, as one profile runs it.
    static func completeness(of spec: TaskSpec, node: TOMLNode) -> [Diagnostic] {
        guard spec.run.isEmpty, node.entries?.contains(where: { $0.key == "run" }) == false else { return [] }
        return [Diagnostic(.invalidValue(key: node.dottedPath, reason: "a task needs a 'run' command"), at: node.keyLocation)]
    }

    mutating func artifact(name: String, node: TOMLNode) -> ArtifactSpec? {
        guard let fields = reader.table(node) else { return nil }
        let before = reader.diagnostics.count
        if !Identifiers.isName(name) {
            reader.add(.invalidValue(key: node.dottedPath, reason: "artifact names use letters, digits, '_' and '-'"), node.keyLocation)
        }
        var source: ArtifactSpec.Source?
        var sources = 0
        var profile: String?
        var description: String?
        var include: [String]?
        var extra = ArtifactSpec(name: name, source: .expression(""), location: node.keyLocation)
        for (key, value) in fields {
            switch key {
            case "nix":
                sources += 1
                if let expression = reader.nonEmpty(value, what: "expression") { source = .expression(expression) }
            case "flake":
                sources += 1
                if let text = reader.nonEmpty(value, what: "flake reference") {
                    let parts = text.split(separator: "#", maxSplits: 1).map(String.init)
                    let attribute = parts.count == 2 ? parts[1] : "default"
                    if parts[0].contains(" ") || !Identifiers.isAttributePath(attribute) {
                        reader.invalid(value, "'\(text)' is not <flakeref>#<attribute>")
                    } else {
                        source = .flake(ref: parts[0], attribute: attribute)
                    }
                }
            case "profile": profile = reader.string(value)
            case "description": description = reader.string(value)
            case "include": include = projectPaths(value, globs: false)
            case "exclude": extra.exclude = projectPaths(value, globs: true)
            case "build_packages": extra.buildPackages = attributes(value)
            default: reader.unknown(key, value, in: node.dottedPath, allowed: Self.artifactKeys)
            }
        }
        if sources != 1 {
            reader.add(.invalidValue(key: node.dottedPath, reason: "give exactly one of `nix = \"<expression>\"` or `flake = \"<ref>#<attr>\"`"), node.keyLocation)
        }
        guard reader.diagnostics.count == before, let source else { return nil }
        var spec = ArtifactSpec(name: name, source: source, location: node.keyLocation)
        if let profile { spec.profile = profile }
        spec.description = description
        spec.include = include
        spec.exclude = extra.exclude
        spec.buildPackages = extra.buildPackages
        if case .expression(let text) = source { spec.uses = ArtifactSpec.artifactReferences(in: text) }
        if case .flake = source {
            let onlyNix = ["include", "exclude", "build_packages"].filter { node[$0] != nil }
            for key in onlyNix {
                reader.add(.invalidValue(key: node.dottedPath + "." + key, reason: "\(key) applies to a `nix` expression; a flake decides its own sources and tools"),
                           node[key]?.keyLocation ?? node.keyLocation)
            }
            if !onlyNix.isEmpty { return nil }
        }
        return spec
    }

    /// `include = ["src", "public"]` (files or folders, no globs) or `exclude = ["**/__pycache__"]`
    /// (globs): relative to the project, without a leading `./` or a trailing `/`.
    private mutating func projectPaths(_ value: TOMLNode, globs: Bool) -> [String] {
        var paths: [String] = []
        for (path, at) in reader.locatedStrings(value) ?? [] {
            var clean = path
            while clean.hasSuffix("/") { clean.removeLast() }
            while clean.hasPrefix("./") { clean.removeFirst(2) }
            let outside = clean.isEmpty || clean.hasPrefix("/") || clean.split(separator: "/").contains("..")
            if outside || (!globs && clean.contains(where: { "*?[".contains($0) })) {
                let reason = globs
                    ? "'\(path)' must be a glob inside the project, relative to slipway.toml (e.g. \"**/__pycache__\" or \"var/cache\")"
                    : "'\(path)' must be a file or folder inside the project (no globs)"
                reader.add(.invalidValue(key: value.dottedPath, reason: reason), at)
            } else {
                paths.append(clean)
            }
        }
        return paths
    }

    /// `build_packages = ["nodejs", "php82Packages.composer"]`: attribute paths of the package set.
    private mutating func attributes(_ value: TOMLNode) -> [String] {
        var names: [String] = []
        for (name, at) in reader.locatedStrings(value) ?? [] {
            if Identifiers.isAttributePath(name) {
                names.append(name)
            } else {
                reader.add(.invalidValue(key: value.dottedPath, reason: "'\(name)' is not an attribute of the package set (e.g. \"nodejs\" "
                    + "or \"php82Packages.composer\")"), at)
            }
        }
        return names
    }

    mutating func ci(_ node: TOMLNode) -> CISpec? {
        guard let fields = reader.table(node) else { return nil }
        let before = reader.diagnostics.count
        var spec = CISpec(location: node.keyLocation)
        for (key, value) in fields {
            switch key {
            case "profile": if let s = reader.string(value) { spec.profile = s }
            case "tasks": spec.tasks = names(value)
            case "artifacts": spec.artifacts = names(value)
            case "images": spec.images = names(value)
            case "push":
                switch value.value {
                case .bool(let flag): spec.push = flag ? .always : .never
                case .string(let glob) where !glob.isEmpty && !glob.contains(" "): spec.push = .branch(glob)
                default: reader.wrongType(value, "a branch glob such as \"main\", or a boolean")
                }
            case "registry":
                if let s = reader.nonEmpty(value, what: "registry") {
                    if s.contains("://") { reader.invalid(value, "write HOST[:PORT]/PATH without a scheme, e.g. \"registry.example.com/team/app\"") }
                    else { spec.registry = s }
                }
            case "tags": if let list = reader.locatedStrings(value) { spec.tags = list.map(\.0) }
            case "deploy": spec.deploy = names(value)
            case "deploy_when":
                if let glob = value.string, !glob.isEmpty, !glob.contains(" ") { spec.deployWhen = .branch(glob) }
                else { reader.wrongType(value, "a branch glob such as \"main\" or \"release/*\"") }
            default: reader.unknown(key, value, in: "ci", allowed: Self.ciKeys)
            }
        }
        return reader.diagnostics.count == before ? spec : nil
    }

    // MARK: - Values

    /// Names, each a valid identifier, with their locations kept in `locations`.
    private(set) var locations: [String: SourceLocation] = [:]

    private mutating func names(_ node: TOMLNode) -> [String] {
        var result: [String] = []
        for (name, at) in reader.locatedStrings(node) ?? [] {
            if Identifiers.isName(name) { result.append(name); locations[node.dottedPath + "/" + name] = at }
            else { reader.add(.invalidValue(key: node.dottedPath, reason: "'\(name)' is not a name"), at) }
        }
        return result
    }

    private mutating func globs(_ node: TOMLNode, allowOut: Bool) -> [String] {
        var result: [String] = []
        for (written, at) in reader.locatedStrings(node) ?? [] {
            let glob = written.hasPrefix("${SLIPWAY_OUT}/") ? "$SLIPWAY_OUT/" + written.dropFirst("${SLIPWAY_OUT}/".count) : written
            let body = allowOut && glob.hasPrefix("$SLIPWAY_OUT/") ? String(glob.dropFirst("$SLIPWAY_OUT/".count)) : glob
            if body.contains("$") {
                let also = allowOut ? " (only a leading $SLIPWAY_OUT/ is understood)" : ""
                reader.add(.invalidValue(key: node.dottedPath, reason: "'\(glob)': globs do not expand variables\(also)"), at)
            } else if body.isEmpty || body.hasPrefix("/") || body.split(separator: "/").contains("..") {
                let also = allowOut ? " or under $SLIPWAY_OUT/" : ""
                reader.add(.invalidValue(key: node.dottedPath, reason: "'\(glob)' must be a path inside the project\(also)"), at)
            } else {
                result.append(glob)
            }
        }
        return result
    }
}
