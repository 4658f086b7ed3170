/// What a layer holds, as recorded in the build record: enough to produce its bytes again,
/// identically, at write or push time.
public struct LayerSpec: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Whole store paths (a group chosen by ``LayerPlanner``).
        case store
        /// Generated files: `/etc/passwd`, `/tmp`, links to the CA bundle, `dirs`...
        case customisation
        /// The project's own files (`copy`) or artifacts: the top layers.
        case project
    }

    public var kind: Kind
    /// For `store` layers: the store paths, sorted.
    public var storePaths: [String]
    /// For the other kinds: the entries (file contents of project files are read again).
    public var entries: [TarEntry]

    public init(kind: Kind, storePaths: [String] = [], entries: [TarEntry] = []) {
        self.kind = kind
        self.storePaths = storePaths
        self.entries = entries
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

    /// Writes the uncompressed layer tar to `sink`.
    public func writeTar(to sink: ByteSink, mtime: Int) throws {
        let writer = TarWriter(sink: sink, mtime: mtime)
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
        case .project: return "project files: " + entries.filter { $0.kind == .directory }.prefix(1).map { "/" + $0.name }.joined() + " (\(entries.count) entries)"
        }
    }
}
