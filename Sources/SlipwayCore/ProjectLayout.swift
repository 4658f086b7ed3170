#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// The layout of the nearest `slipway.toml` in `folder` or a folder above, or `nil`.
    public static func nearest(from folder: String) -> ProjectLayout? {
        var dir = folder
        while true {
            let candidate = (dir == "/" ? "" : dir) + "/slipway.toml"
            if access(candidate, F_OK) == 0 { return ProjectLayout(manifest: candidate) }
            if dir == "/" || dir.isEmpty { return nil }
            dir = FilePaths.parent(dir)
        }
    }

    public var lockFile: String { root + "/slipway.lock" }
    public var dataDir: String { root + "/.slipway" }
    /// Generated flake for one profile: `.slipway/gen/<profile>/flake.nix`.
    public func generatedFlakeDir(profile: String) -> String { dataDir + "/gen/" + profile }
    /// GC roots of one profile's packages: `.slipway/gcroots/<profile>/`.
    public func gcRootDir(profile: String) -> String { dataDir + "/gcroots/" + profile }
    /// Service and task state of one profile: `.slipway/state/<profile>` (`SLIPWAY_STATE`).
    public func stateDir(profile: String) -> String { dataDir + "/state/" + profile }
    /// Service logs of one profile, `<service>.log` and `supervisor.log`: `.slipway/state/<profile>/logs`.
    public func serviceLogDir(profile: String) -> String { stateDir(profile: profile) + "/logs" }
    /// The cached, resolved environment of one profile.
    public func environmentCache(profile: String) -> String { cacheDir + "/env-" + profile + ".json" }
    /// The compact form of ``environmentCache(profile:)`` a warm `slipway exec` reads.
    public func execEnvironmentCache(profile: String) -> String { cacheDir + "/env-" + profile + ".exec" }
    /// Caches that can be rebuilt: `.slipway/cache/`.
    public var cacheDir: String { dataDir + "/cache" }
    /// The lock held while one profile's environment builds: `.slipway/cache/build-<profile>.lock`.
    public func buildLock(profile: String) -> String { cacheDir + "/build-" + profile + ".lock" }
    /// A cached image closure, keyed by a digest of its inputs: `.slipway/cache/closure-<key>.json`.
    public func closureCache(key: String) -> String { cacheDir + "/closure-" + key + ".json" }
    /// GC roots of the extra packages images and artifacts need: `.slipway/gcroots/extras-<profile>/`.
    public func extrasGCRootDir(profile: String) -> String { dataDir + "/gcroots/extras-" + profile }
    /// Supervisor sockets, task-run leases and markers: `.slipway/run/`.
    public var runDir: String { dataDir + "/run" }
    /// The control socket of one profile's supervisor: `.slipway/run/<profile>.sock`.
    public func controlSocket(profile: String) -> String { runDir + "/" + profile + ".sock" }
    /// Leases of the task runs using one profile's services, a file per pid: `.slipway/run/<profile>.tasks/`.
    public func taskLeaseDir(profile: String) -> String { runDir + "/" + profile + ".tasks" }
    /// The lock task runs take to start or stop services: `.slipway/run/<profile>.tasks.lock`.
    public func taskLeaseLock(profile: String) -> String { runDir + "/" + profile + ".tasks.lock" }
    /// What task runs started: `.slipway/run/<profile>.task-services`.
    public func taskServicesMarker(profile: String) -> String { runDir + "/" + profile + ".task-services" }
    /// Task outputs of one profile: `.slipway/out/<profile>/<task>/` is a task's `SLIPWAY_OUT`.
    public func taskOutputRoot(profile: String) -> String { dataDir + "/out/" + profile }
    /// Task logs and fingerprints of one profile: `.slipway/tasks/<profile>/`.
    public func taskStateDir(profile: String) -> String { dataDir + "/tasks/" + profile }
    /// What `slipway ci` leaves: `.slipway/ci/` (`summary.json`, JUnit reports per task).
    public var ciDir: String { dataDir + "/ci" }
    /// Build records of images: `.slipway/images/`.
    public var imagesDir: String { dataDir + "/images" }
    /// The build record of one image: `.slipway/images/<name>.json`.
    public func imageRecord(name: String) -> String { imagesDir + "/" + name + ".json" }
    /// What Slipway knows of registries: `.slipway/registry/`.
    public var registryDir: String { dataDir + "/registry" }
    /// Registries known to speak plain HTTP or HTTPS: `.slipway/registry/schemes.json`.
    public var registrySchemes: String { registryDir + "/schemes.json" }
    /// Blobs known to be in a registry (for cross-repository mounts): `.slipway/registry/blobs.json`.
    public var registryBlobs: String { registryDir + "/blobs.json" }
    /// Generated shell start-up files of one profile: `.slipway/shell/<profile>/`.
    public func shellDir(profile: String) -> String { dataDir + "/shell/" + profile }
    /// Deploy state of one target on the deploying machine: `.slipway/deploy/<target>/`.
    public func deployDir(target: String) -> String { dataDir + "/deploy/" + target }
}
