import SlipwayCore

/// What building one profile produced: each package's store paths and the whole closure.
///
/// Saved with the environment cache and, later, read by the image builder.
public struct ProfileBuild: Codable, Sendable, Hashable {
    /// One `[packages]` entry after the build.
    public struct Package: Codable, Sendable, Hashable {
        public var key: String
        /// Output name (`out`, `bin`, `lib`, ...) to store path (`/nix/store/<hash>-<name>`).
        public var outputs: [String: String]

        public init(key: String, outputs: [String: String]) {
            self.key = key
            self.outputs = outputs
        }

        /// Store paths, `out` first, then the other outputs by name.
        public var storePaths: [String] {
            outputs.sorted { ($0.key == "out" ? "" : $0.key) < ($1.key == "out" ? "" : $1.key) }.map(\.value)
        }
    }

    /// One store path of the closure (`nix path-info --json --recursive`).
    public struct StorePathInfo: Codable, Sendable, Hashable {
        public var path: String
        /// ``path`` as a typed store path (`nil` if Nix ever reports another shape).
        public var storePath: StorePath? { StorePath(path) }
        /// Size of the path's NAR serialisation, in bytes.
        public var narSize: Int
        /// Store paths this one refers to (itself included when self-referencing).
        public var references: [String]
    }

    public var profile: String
    public var packages: [Package]
    /// Every store path the packages need at run time, sorted by path.
    public var closure: [StorePathInfo]

    public init(profile: String, packages: [Package], closure: [StorePathInfo]) {
        self.profile = profile
        self.packages = packages
        self.closure = closure
    }
}
