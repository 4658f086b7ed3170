/// One entry of a layer tar.
///
/// Names are relative (`nix/store/…`, `etc/passwd`): image-spec `layer.md` allows absolute
/// names, but some consumers reject them. Directories are named without a trailing slash here;
/// the writer adds it.
public struct TarEntry: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        case directory
        /// A regular file whose bytes are read from `path` when the layer is produced.
        case file(path: String, size: Int64)
        /// A regular file with these bytes (generated files such as `/etc/passwd`).
        case bytes([UInt8])
        case symlink(target: String)
    }

    public var name: String
    public var kind: Kind
    /// Permission bits, including setuid/setgid/sticky (e.g. `0o1777` for `/tmp`).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    public var uname: String
    public var gname: String

    public init(name: String, kind: Kind, mode: UInt32, uid: Int = 0, gid: Int = 0, uname: String? = nil, gname: String? = nil) {
        self.name = name
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.uname = uname ?? (uid == 0 ? "root" : "")
        self.gname = gname ?? (gid == 0 ? "root" : "")
    }

    public var size: Int64 {
        switch kind {
        case .file(_, let size): size
        case .bytes(let bytes): Int64(bytes.count)
        default: 0
        }
    }

    /// Same content and metadata (the file's source path does not matter, only its size, as
    /// store paths are immutable and two store paths never share a destination).
    func sameContent(as other: TarEntry) -> Bool {
        guard mode == other.mode, uid == other.uid, gid == other.gid else { return false }
        switch (kind, other.kind) {
        case (.directory, .directory): return true
        case (.symlink(let a), .symlink(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.file(let a, let sa), .file(let b, let sb)): return a == b && sa == sb
        default: return false
        }
    }
}
