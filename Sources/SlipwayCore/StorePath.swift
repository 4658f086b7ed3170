/// A path in the Nix store: `/nix/store/<32-character hash>-<name>` (Nix manual, "Store Path").
///
/// Only the shape is checked (the prefix, a hash part of 32 base-32 characters, a name); that
/// the path exists is not.
public struct StorePath: Sendable, Hashable, Comparable, StringCodable {
    public static let kind = "store path"

    /// The store folder every path is in.
    public static let storeDirectory = "/nix/store"

    /// The absolute path.
    public let path: String

    /// Parses an absolute store path; `nil` for anything else.
    public init?(_ path: String) {
        let prefix = Self.storeDirectory + "/"
        guard path.hasPrefix(prefix) else { return nil }
        let base = path.dropFirst(prefix.count)
        guard !base.contains("/"), base.count > 33, base.dropFirst(32).first == "-" else { return nil }
        let alphabet = Set("0123456789abcdfghijklmnpqrsvwxyz")
        guard base.prefix(32).allSatisfy(alphabet.contains) else { return nil }
        self.path = path
    }

    /// The 32-character hash part.
    public var hash: Substring { baseName.prefix(32) }

    /// The name after the hash (`hello-2.12.1`).
    public var name: Substring { baseName.dropFirst(33) }

    private var baseName: Substring { path.dropFirst(Self.storeDirectory.count + 1) }

    public var description: String { path }

    public static func < (lhs: StorePath, rhs: StorePath) -> Bool { lhs.path < rhs.path }
}
