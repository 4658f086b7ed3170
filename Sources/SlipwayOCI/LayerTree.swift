import Foundation

/// The entries of one layer, keyed by name, with conflicts detected and parents filled in.
public struct LayerTree: Sendable {
    public private(set) var entries: [String: TarEntry] = [:]
    /// Where each entry came from, for conflict messages.
    private var origins: [String: String] = [:]

    public init() {}

    /// Adds `entry`. The same content twice is fine; different content for one name is an error.
    /// - Throws: ``ImageError/conflict(path:first:second:)``.
    public mutating func add(_ entry: TarEntry, origin: String) throws {
        if let existing = entries[entry.name] {
            if existing.sameContent(as: entry) { return }
            throw ImageError.conflict(path: "/" + entry.name, first: origins[entry.name] ?? "?", second: origin)
        }
        entries[entry.name] = entry
        origins[entry.name] = origin
    }

    /// Adds a store path and everything under it, with the store's modes, owned by root.
    /// - Throws: ``ImageError/io(_:_:)`` when the path cannot be read.
    public mutating func addStorePath(_ path: String) throws {
        try addTree(source: path, name: String(path.dropFirst()), origin: path, uid: 0, gid: 0, user: nil, fileMode: nil)
    }

    /// Adds a project file or folder at `destination` (absolute image path).
    /// `fileMode` overrides regular files' modes; folders get 0755.
    public mutating func addProjectTree(
        source: String, destination: String, uid: Int, gid: Int, user: String?, fileMode: UInt32?, origin: String
    ) throws {
        let name = String(destination.drop { $0 == "/" })
        try addTree(source: source, name: name, origin: origin, uid: uid, gid: gid, user: user, fileMode: fileMode, project: true)
    }

    private mutating func addTree(
        source: String, name: String, origin: String, uid: Int, gid: Int, user: String?, fileMode: UInt32?, project: Bool = false
    ) throws {
        var info = stat()
        guard lstat(source, &info) == 0 else { throw ImageError.io(source, String(cString: strerror(errno))) }
        let type = info.st_mode & S_IFMT
        let diskMode = UInt32(info.st_mode & 0o7777)
        switch type {
        case S_IFDIR:
            try add(TarEntry(name: name, kind: .directory, mode: project ? 0o755 : diskMode, uid: uid, gid: gid, uname: user, gname: user), origin: origin)
            let children = try FileManager.default.contentsOfDirectory(atPath: source)
            for child in children where !(project && [".slipway", ".git"].contains(child)) {
                try addTree(source: source + "/" + child, name: name + "/" + child, origin: origin, uid: uid, gid: gid, user: user,
                            fileMode: fileMode, project: project)
            }
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: 4096)
            let n = readlink(source, &buffer, buffer.count - 1)
            guard n >= 0 else { throw ImageError.io(source, String(cString: strerror(errno))) }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            try add(TarEntry(name: name, kind: .symlink(target: target), mode: 0o777, uid: uid, gid: gid, uname: user, gname: user), origin: origin)
        case S_IFREG:
            var mode = diskMode
            if project { mode = fileMode ?? (diskMode & 0o111 != 0 ? 0o755 : 0o644) }
            try add(TarEntry(name: name, kind: .file(path: source, size: Int64(info.st_size)), mode: mode, uid: uid, gid: gid,
                             uname: user, gname: user), origin: origin)
        default:
            break  // sockets, fifos and devices are not image content
        }
    }

    /// Adds every missing parent folder (0755, root), as layer tars must list them.
    public mutating func addParents() {
        for name in Array(entries.keys) {
            var parts = name.split(separator: "/").dropLast()
            while !parts.isEmpty {
                let parent = parts.joined(separator: "/")
                if entries[parent] == nil {
                    entries[parent] = TarEntry(name: parent, kind: .directory, mode: 0o755)
                    origins[parent] = "parent folder"
                }
                parts = parts.dropLast()
            }
        }
    }

    /// Entries sorted by name bytes (parents before children).
    public var sorted: [TarEntry] {
        entries.values.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// Entries of `other` that would collide with this tree's entries with different content.
    public func conflicts(with other: LayerTree) -> [(String, String, String)] {
        var found: [(String, String, String)] = []
        for (name, entry) in other.entries {
            if let mine = entries[name], !mine.sameContent(as: entry), !(mine.kind == .directory && entry.kind == .directory) {
                found.append(("/" + name, origins[name] ?? "?", other.origins[name] ?? "?"))
            }
        }
        return found.sorted { $0.0 < $1.0 }
    }
}
