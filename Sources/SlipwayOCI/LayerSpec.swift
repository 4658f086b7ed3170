/// What a layer holds, as recorded in the build record: enough to produce its bytes again,
/// identically, at write or push time.
public struct LayerSpec: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Whole store paths (a group chosen by ``LayerPlanner``).
        case store
        /// Generated files: `/etc/passwd`, `/tmp`, links to the CA bundle, `dirs`...
        case customisation
        /// The project's own files (`copy`): the top layer.
        case project
        /// An artifact's store paths, with the links to its top-level entries at the image root.
        case artifact
    }

    public var kind: Kind
    /// For `store` layers: the store paths, sorted.
    public var storePaths: [String]
    /// For the other kinds: the entries (file contents of project files are read again).
    public var entries: [TarEntry]
    /// The mtime of this layer's entries (seconds since the epoch) when it is not the build
    /// record's fixed one: the image date of project and artifact layers (``ImagePlan/created``).
    public var mtime: Int?

    public init(kind: Kind, storePaths: [String] = [], entries: [TarEntry] = [], mtime: Int? = nil) {
        self.kind = kind
        self.storePaths = storePaths
        self.entries = entries
        self.mtime = mtime
    }

    /// The sorted tar entries of this layer.
    /// - Throws: ``ImageError`` when a path cannot be read or two sources collide.
    public func tree() throws -> [TarEntry] {
        var tree = LayerTree()
        for path in storePaths { try tree.addStorePath(path) }
        for entry in entries { try tree.add(entry, origin: kind.rawValue) }
        tree.addParents()
        return tree.sorted
    }

    /// Writes the uncompressed layer tar to `sink`, every entry dated ``mtime`` or else `mtime`.
    public func writeTar(to sink: ByteSink, mtime: Int) throws {
        let writer = TarWriter(sink: sink, mtime: self.mtime ?? mtime)
        for entry in try tree() { try writer.write(entry) }
        try writer.finish()
    }

    /// A short description for history entries and `image inspect`.
    public var summary: String {
        switch kind {
        case .store:
            let names = storePaths.map { String($0.split(separator: "/").last ?? "").dropFirst(33) }
            return "store paths: " + names.joined(separator: ", ")
        case .customisation: return "customisation: " + entries.map { "/" + $0.name }.prefix(12).joined(separator: ", ")
        case .project:
            let files = entries.filter { if case .file = $0.kind { return true } else { return false } }
            if files.count == 1, let file = files.first { return "project file: /" + file.name }
            return "project files: " + entries.filter { $0.kind == .directory }.prefix(1).map { "/" + $0.name }.joined() + " (\(entries.count) entries)"
        case .artifact:
            let names = storePaths.map { String($0.split(separator: "/").last ?? "").dropFirst(33) }
            return "artifact: " + names.joined(separator: ", ")
        }
    }
}
