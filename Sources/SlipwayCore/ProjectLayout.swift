/// Where Slipway keeps a project's files.
///
/// Everything Slipway writes lives under `<root>/.slipway/` (git-ignored), except the committed
/// lock file `<root>/slipway.lock`. Paths are absolute, as strings, without a trailing slash.
public struct ProjectLayout: Sendable, Hashable {
    /// The folder holding the manifest.
    public let root: String
    /// The manifest file, `<root>/slipway.toml` unless `--manifest` named another.
    public let manifest: String

    public init(manifest: String) {
        self.manifest = manifest
        let cut = manifest.lastIndex(of: "/").map { String(manifest[..<$0]) } ?? "."
        self.root = cut.isEmpty ? "/" : cut
    }

    public var lockFile: String { root + "/slipway.lock" }
    public var dataDir: String { root + "/.slipway" }
    /// Generated flake for one profile: `.slipway/gen/<profile>/flake.nix`.
    public func generatedFlakeDir(profile: String) -> String { dataDir + "/gen/" + profile }
    /// GC roots of one profile's packages: `.slipway/gcroots/<profile>/`.
    public func gcRootDir(profile: String) -> String { dataDir + "/gcroots/" + profile }
    /// Service and task state of one profile: `.slipway/state/<profile>` (`SLIPWAY_STATE`).
    public func stateDir(profile: String) -> String { dataDir + "/state/" + profile }
    /// The cached, resolved environment of one profile.
    public func environmentCache(profile: String) -> String { dataDir + "/cache/env-" + profile + ".json" }
}
