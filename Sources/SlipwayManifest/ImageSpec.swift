import SlipwayCore

/// One `[images.NAME]` entry: a container image of one profile's packages.
public struct ImageSpec: Sendable, Hashable {
    public struct User: Sendable, Hashable {
        public var name: String
        public var uid: Int
        public var gid: Int

        public init(name: String, uid: Int, gid: Int) {
            self.name = name
            self.uid = uid
            self.gid = gid
        }
    }

    /// A project file or folder copied into the image.
    public struct Copy: Sendable, Hashable {
        /// Absolute path in the project.
        public var source: String
        /// Absolute path in the image.
        public var destination: String
        /// Owner: `nil` (root) or a user name (the image's user or `root`).
        public var owner: String?
        public var mode: UInt32?
        public var location: SourceLocation
    }

    /// An empty folder created in the image.
    public struct Folder: Sendable, Hashable {
        public var path: String
        public var owner: String?
        public var mode: UInt32
        public var location: SourceLocation

        public init(path: String, owner: String?, mode: UInt32, location: SourceLocation) {
            self.path = path
            self.owner = owner
            self.mode = mode
            self.location = location
        }
    }

    /// The `[images.NAME]` key.
    public var name: String
    /// `name = "..."`: the image's repository (`shop/app`, or with a registry host
    /// `registry.example.com/shop/app`); `nil`: the key. See ``repository``.
    public var repositoryName: String?
    public var profile: String = "prod"
    /// Package keys of the profile, with their locations; `nil`: all of the profile's packages.
    public var contents: [(key: String, location: SourceLocation)]?
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var env: [EnvEntry] = []
    public var workdir: String?
    public var user: User?
    public var ports: [String] = []
    public var labels: [String: String] = [:]
    public var copy: [Copy] = []
    public var dirs: [Folder] = []
    public var maxLayers: Int = 100
    public var compression: String = "gzip"
    /// Tags (`1.4`, `latest`, `$CI_COMMIT_SHORT_SHA`), never references.
    public var tags: [String] = []
    /// `service = "db"`: the image runs that `[services.NAME]` of its profile (setup, then
    /// command) as its entrypoint; see `ServiceImage` in SlipwayImage. With where it was written.
    public var service: (name: String, location: SourceLocation)?
    /// The config's `StopSignal` (`SIGINT`), which `podman stop` and `docker stop` send.
    public var stopSignal: String?
    /// FHS fixes, each on by default.
    public var binSh = true
    public var usrBinEnv = true
    public var tmp = true
    public var caCertificates = true
    public var nsswitch = true
    public var zoneinfo = true
    public var location: SourceLocation

    /// An image with every field at its default (for callers that build specs in code).
    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The one name of the image: `localhost/NAME` after `image load`, `<registry>/NAME` from
    /// `slipway ci`, `NAME` itself for `image push` when it starts with a registry host.
    public var repository: String { repositoryName ?? name }

    public static func == (lhs: ImageSpec, rhs: ImageSpec) -> Bool { lhs.name == rhs.name && lhs.location == rhs.location }
    public func hash(into hasher: inout Hasher) { hasher.combine(name); hasher.combine(location) }
}

/// Reads `[images.NAME]`.
struct ImageDecoder: DiagnosticCollector {
    static let keys = ["name", "profile", "contents", "entrypoint", "cmd", "env", "workdir", "user", "ports", "labels", "copy", "dirs",
                       "max_layers", "compression", "tags", "service", "bin_sh", "usr_bin_env", "tmp", "ca_certificates", "nsswitch", "zoneinfo"]

    let root: String
    var diagnostics: [Diagnostic] = []

    init(root: String) { self.root = root }

    mutating func decode(name: String, node: TOMLNode) -> ImageSpec? {
        guard let fields = node.entries else {
            wrongType(node, "a table")
            return nil
        }
        let before = diagnostics.count
        var spec = ImageSpec(name: name, location: node.keyLocation)
        if !Identifiers.isName(name) {
            add(.invalidValue(key: node.dottedPath, reason: "image names use letters, digits, '_' and '-'"), node.keyLocation)
        }
        for (key, value) in fields { field(key, value, of: node, into: &spec) }
        return diagnostics.count == before ? spec : nil
    }

    /// One `key = value` of an `[images.NAME]` table.
    private mutating func field(_ key: String, _ value: TOMLNode, of node: TOMLNode, into spec: inout ImageSpec) {
        switch key {
        case "name": if let s = string(value) { spec.repositoryName = repository(s, at: value) }
        case "profile": if let s = string(value) { spec.profile = s }
        case "contents":
            if let list = strings(value) { spec.contents = zip(list, value.elements ?? []).map { ($0, $1.valueLocation) } }
        case "entrypoint": spec.entrypoint = strings(value)
        case "cmd": spec.cmd = strings(value)
        case "workdir":
            if let s = string(value) {
                if !s.hasPrefix("/") { add(.invalidValue(key: value.dottedPath, reason: "workdir must be an absolute path"), value.valueLocation) }
                spec.workdir = s
            }
        case "env": spec.env = env(value)
        case "user": spec.user = user(value)
        case "ports":
            for element in value.elements ?? [] {
                switch element.value {
                case .integer(let port) where (1...65535).contains(port): spec.ports.append("\(port)/tcp")
                case .string(let text) where Self.isPort(text): spec.ports.append(text.contains("/") ? text : text + "/tcp")
                case .string(let text):
                    add(.invalidValue(key: element.dottedPath, reason: "'\(text)' is not a port: a number, \"PORT/tcp\" or \"PORT/udp\""), element.valueLocation)
                default: add(.invalidValue(key: element.dottedPath, reason: "a port is a number or \"PORT/tcp\" / \"PORT/udp\""), element.valueLocation)
                }
            }
            if value.elements == nil { wrongType(value, "an array of ports") }
        case "labels":
            for (label, text) in value.entries ?? [] { if let s = string(text) { spec.labels[label] = s } }
            if value.entries == nil { wrongType(value, "a table") }
        case "copy":
            for element in value.elements ?? [] { if let c = copy(element) { spec.copy.append(c) } }
            if value.elements == nil { wrongType(value, "an array of { from, to, owner, mode } tables") }
        case "dirs":
            for element in value.elements ?? [] { if let d = folder(element) { spec.dirs.append(d) } }
            if value.elements == nil { wrongType(value, "an array of { path, owner, mode } tables") }
        case "max_layers":
            if case .integer(let n) = value.value {
                if n < 2 { add(.invalidValue(key: value.dottedPath, reason: "an image needs at least 2 layers (store paths and the customisation layer)"), value.valueLocation) }
                else if n > 125 { add(.invalidValue(key: value.dottedPath, reason: "Docker refuses more than 125 layers"), value.valueLocation) }
                else { spec.maxLayers = n }
            } else { wrongType(value, "an integer") }
        case "compression":
            if let s = string(value) {
                if ["gzip", "zstd", "none"].contains(s) { spec.compression = s }
                else { add(.invalidValue(key: value.dottedPath, reason: "use \"gzip\", \"zstd\" or \"none\""), value.valueLocation) }
            }
        case "tags": spec.tags = tags(value)
        case "service": if let name = string(value) { spec.service = (name, value.valueLocation) }
        case "bin_sh": spec.binSh = bool(value) ?? true
        case "usr_bin_env": spec.usrBinEnv = bool(value) ?? true
        case "tmp": spec.tmp = bool(value) ?? true
        case "ca_certificates": spec.caCertificates = bool(value) ?? true
        case "nsswitch": spec.nsswitch = bool(value) ?? true
        case "zoneinfo": spec.zoneinfo = bool(value) ?? true
        default:
            add(.unknownKey(key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: Self.keys), allowed: Self.keys), value.keyLocation)
        }
    }

    /// A repository as the distribution spec names them: `/`-separated lower-case components
    /// (`[a-z0-9]+([._-][a-z0-9]+)*`), the first may be a registry host (`HOST[:PORT]`); no tag.
    private mutating func repository(_ text: String, at node: TOMLNode) -> String? {
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1, ImageNames.isHost(parts[0]) { parts.removeFirst() }
        let component = #/[a-z0-9]+([._-]+[a-z0-9]+)*/#
        guard !parts.isEmpty, parts.allSatisfy({ $0.wholeMatch(of: component) != nil }) else {
            let hint = text.contains(":") || text.contains("@") ? "; put the tag in `tags`" : ""
            add(.invalidValue(key: node.dottedPath, reason: "'\(text)' is not a repository name (lower-case letters, digits, '.', '_', '-' between '/', after an optional registry host)\(hint)"), node.valueLocation)
            return nil
        }
        return text
    }

    /// Tags only: a reference (`registry.example.com/shop/app:1.4`) is an error naming the fix.
    private mutating func tags(_ node: TOMLNode) -> [String] {
        let list = strings(node) ?? []
        for (tag, element) in zip(list, node.elements ?? []) where tag.contains("/") || tag.contains(":") || tag.contains("@") {
            let colon = tag.lastIndex(of: ":").flatMap { tag[$0...].contains("/") ? nil : tag.index(after: $0) }
            let suggestion = colon.map { " name = \"\(tag[..<tag.index(before: $0)])\" and tags = [\"\(tag[$0...])\"]" } ?? " name = \"\(tag)\""
            add(.invalidValue(key: element.dottedPath, reason: "'\(tag)' is a reference, not a tag; the repository goes in `name`: use\(suggestion)"), element.valueLocation)
        }
        return list
    }

    static func isPort(_ text: String) -> Bool {
        let parts = text.split(separator: "/")
        guard let number = parts.first.flatMap({ Int($0) }), (1...65535).contains(number) else { return false }
        return parts.count == 1 || (parts.count == 2 && ["tcp", "udp", "sctp"].contains(parts[1]))
    }

    /// Login names as `useradd` accepts them (shadow-utils' default): `[a-z_][a-z0-9_-]*[$]?`, at most 32.
    static func isLoginName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 32, let first = name.unicodeScalars.first,
              first == "_" || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    private mutating func user(_ node: TOMLNode) -> ImageSpec.User? {
        var user = ImageSpec.User(name: "", uid: 1000, gid: 1000)
        switch node.value {
        case .string(let name): user.name = name
        case .table(let fields):
            for (key, value) in fields {
                switch key {
                case "name": user.name = string(value) ?? ""
                case "uid": if case .integer(let n) = value.value, n > 0 { user.uid = n } else { add(.invalidValue(key: value.dottedPath, reason: "a uid is a positive integer"), value.valueLocation) }
                case "gid": if case .integer(let n) = value.value, n > 0 { user.gid = n } else { add(.invalidValue(key: value.dottedPath, reason: "a gid is a positive integer"), value.valueLocation) }
                default: add(.unknownKey(key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: ["name", "uid", "gid"]), allowed: ["name", "uid", "gid"]), value.keyLocation)
                }
            }
        default:
            wrongType(node, "a user name or { name, uid, gid }")
            return nil
        }
        guard Self.isLoginName(user.name), user.name != "root", user.name != "nobody" else {
            add(.invalidValue(key: node.dottedPath, reason: "'\(user.name)' is not a valid login name (lower-case letters, digits, '_' and '-', starting with a letter or '_'; not root or nobody)"), node.valueLocation)
            return nil
        }
        return user
    }

    private mutating func copy(_ node: TOMLNode) -> ImageSpec.Copy? {
        guard let fields = node.entries else { wrongType(node, "a { from, to, owner, mode } table"); return nil }
        var from: String?, to: String?, owner: String?, mode: UInt32?
        for (key, value) in fields {
            switch key {
            case "from": from = string(value)
            case "to": to = string(value)
            case "owner": owner = string(value)
            case "mode": mode = self.mode(value)
            default: add(.unknownKey(key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: ["from", "to", "owner", "mode"]), allowed: ["from", "to", "owner", "mode"]), value.keyLocation)
            }
        }
        guard let from, let to else {
            add(.invalidValue(key: node.dottedPath, reason: "a copy needs 'from' (a project path) and 'to' (an image path)"), node.valueLocation)
            return nil
        }
        let source = FilePaths.absolute(from, relativeTo: root)
        guard source == root || source.hasPrefix(root + "/") else {
            add(.invalidValue(key: node.dottedPath + ".from", reason: "'\(from)' is outside the project folder; copy only project files"), node.valueLocation)
            return nil
        }
        guard to.hasPrefix("/"), !to.hasPrefix("/nix/store") else {
            add(.invalidValue(key: node.dottedPath + ".to", reason: "'\(to)' must be an absolute image path outside /nix/store"), node.valueLocation)
            return nil
        }
        return ImageSpec.Copy(source: source, destination: FilePaths.normalize(to), owner: owner, mode: mode, location: node.valueLocation)
    }

    private mutating func folder(_ node: TOMLNode) -> ImageSpec.Folder? {
        guard let fields = node.entries else {
            if let path = node.string, path.hasPrefix("/") { return ImageSpec.Folder(path: FilePaths.normalize(path), owner: nil, mode: 0o755, location: node.valueLocation) }
            wrongType(node, "a { path, owner, mode } table or an absolute path")
            return nil
        }
        var path: String?, owner: String?, mode: UInt32 = 0o755
        for (key, value) in fields {
            switch key {
            case "path": path = string(value)
            case "owner": owner = string(value)
            case "mode": mode = self.mode(value) ?? mode
            default: add(.unknownKey(key: key, table: node.dottedPath, suggestion: suggestion(for: key, in: ["path", "owner", "mode"]), allowed: ["path", "owner", "mode"]), value.keyLocation)
            }
        }
        guard let path, path.hasPrefix("/") else {
            add(.invalidValue(key: node.dottedPath, reason: "a dirs entry needs an absolute 'path'"), node.valueLocation)
            return nil
        }
        return ImageSpec.Folder(path: FilePaths.normalize(path), owner: owner, mode: mode, location: node.valueLocation)
    }

    /// `"0755"` or `"755"` (octal text); integers are refused, since 755 in TOML is decimal.
    private mutating func mode(_ node: TOMLNode) -> UInt32? {
        guard let text = node.string, let value = UInt32(text, radix: 8), value <= 0o7777 else {
            add(.invalidValue(key: node.dottedPath, reason: "a mode is octal text such as \"0755\""), node.valueLocation)
            return nil
        }
        return value
    }

}

/// Image names: where the registry host ends.
public enum ImageNames {
    /// Whether the first component of a name is a registry host (it has a `.` or a `:`, or is
    /// `localhost`), as Docker decides it.
    public static func isHost(_ component: some StringProtocol) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
    }

    /// `(host, path)` of `name`; `host` is nil for a name without one.
    public static func split(_ name: String) -> (host: String?, path: String) {
        let parts = name.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, isHost(parts[0]) else { return (nil, name) }
        return (String(parts[0]), String(parts[1]))
    }
}

extension Manifest {
    /// The images of the manifest (`[images.*]` of the base), validated at load.
    public func images() throws(ManifestError) -> [ImageSpec] { sections.images }
}
