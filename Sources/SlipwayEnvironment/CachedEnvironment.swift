import SlipwayManifest
import SlipwayNix

/// A profile's environment as built, saved in `.slipway/cache/env-<profile>.json`.
///
/// Valid while ``key`` matches ``EnvironmentKey/compute(manifest:lock:profile:root:)`` of the
/// current files and every path in ``requiredPaths`` exists. Values of ``env`` are not yet
/// expanded: expansion depends on the caller's environment and happens at each start.
public struct CachedEnvironment: Codable, Sendable {
    /// Bumped when the cache layout or the way environments are made changes.
    public static let formatVersion = 5

    public var formatVersion: Int
    public var key: String
    public var profile: String
    public var root: String
    /// `bin` (and `sbin`) folders of the packages, in manifest order; first in `PATH`.
    public var binPaths: [String]
    /// `[env]` after profiles are applied, in declaration order, unexpanded.
    public var env: [Entry]
    /// Store paths whose absence (e.g. after a garbage collection) invalidates the cache.
    public var requiredPaths: [String]
    /// The build the environment came from.
    public var build: ProfileBuild
    /// Port of each service that has one; exported as `<NAME>_PORT`.
    public var ports: [String: Int]
    /// The services' ``ServiceSpec/exports`` (a name two services export is left out), in
    /// service order, unexpanded; set after `<NAME>_PORT`, before the dotenv files and ``env``.
    public var serviceEnv: [Entry] = []
    /// Local `path:` inputs (absolute folders) and their ``TreeFingerprint`` at build time.
    public var localInputs: [String: String] = [:]
    /// When a package expression reads the project folder (`src`): the folder's
    /// ``ProjectSource/fingerprint`` at build time; a change to a file of `src` rebuilds.
    public var projectSource: String?
    /// Whether processes get only the profile's `PATH` and the kept caller variables
    /// (``EnvironmentPurity``); `--pure`/`--impure` change it for one command.
    public var pure: Bool = false
    /// `keep_env`: caller variables (names, or `PREFIX*`) a pure environment keeps besides the defaults.
    public var keepEnv: [String] = []
    /// Dotenv files (relative to ``root``), read at each start: their values are never cached.
    public var envFiles: [String] = []
    /// `[shell] on_enter`: a POSIX sh script run when `slipway shell` or `eval "$(slipway env)"` enters.
    public var onEnter: String?
    /// The ``KeySignature`` of the files ``key`` was computed from, when they had settled: while
    /// it matches, the key need not be computed again.
    public var keySignature: String?

    public struct Entry: Codable, Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(key: String, profile: String, root: String, binPaths: [String], env: [Entry], requiredPaths: [String], build: ProfileBuild, ports: [String: Int] = [:]) {
        self.formatVersion = CachedEnvironment.formatVersion
        self.key = key
        self.profile = profile
        self.root = root
        self.binPaths = binPaths
        self.env = env
        self.requiredPaths = requiredPaths
        self.build = build
        self.ports = ports
    }
}
