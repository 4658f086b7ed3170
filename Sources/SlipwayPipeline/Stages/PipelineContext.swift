import SlipwayDeploy
import SlipwayManifest
import SlipwayOCI

/// The side effects of ``CIPipeline``'s stages: output, environment variables, the clock,
/// interrupts, and one protocol per kind of work (environment, tasks, artifacts, images, push,
/// deploy).
/// The command layer passes the real ones; unit tests pass fakes.
public struct PipelineContext: Sendable {
    public var output: any PipelineOutput
    /// The process environment (`CI_COMMIT_BRANCH`, `GITHUB_REF_NAME`, ...).
    public var variables: [String: String]
    public var clock: PipelineClock
    /// Whether SIGINT or SIGTERM arrived (no later stage starts once it did).
    public var isInterrupted: @Sendable () -> Bool
    public var environment: any CIEnvironmentPreparing
    public var taskRunner: any CITaskRunning
    public var artifactBuilder: any CIArtifactBuilding
    public var imageBuilder: any CIImageBuilding
    public var registryPusher: any CIRegistryPushing
    public var deployer: any CIDeploying

    public init(
        output: any PipelineOutput, variables: [String: String], clock: PipelineClock = .continuous,
        isInterrupted: @escaping @Sendable () -> Bool, environment: any CIEnvironmentPreparing,
        taskRunner: any CITaskRunning, artifactBuilder: any CIArtifactBuilding, imageBuilder: any CIImageBuilding,
        registryPusher: any CIRegistryPushing, deployer: any CIDeploying
    ) {
        self.output = output
        self.variables = variables
        self.clock = clock
        self.isInterrupted = isInterrupted
        self.environment = environment
        self.taskRunner = taskRunner
        self.artifactBuilder = artifactBuilder
        self.imageBuilder = imageBuilder
        self.registryPusher = registryPusher
        self.deployer = deployer
    }
}

/// Where the stages write: results on stdout, progress and errors on stderr.
public protocol PipelineOutput: Sendable {
    /// Standard output, as is.
    func write(_ text: String)
    /// Standard error, as is.
    func writeError(_ text: String)
    /// A `slipway: ...` status line on stderr.
    func status(_ text: String)
    /// An error a stage threw, with its hint (the command layer's error format).
    func report(_ error: any Error)
}

/// Elapsed time since an arbitrary origin.
public struct PipelineClock: Sendable {
    public var now: @Sendable () -> Duration

    public init(now: @escaping @Sendable () -> Duration) {
        self.now = now
    }

    /// `ContinuousClock`, from when this value was made.
    public static var continuous: PipelineClock {
        let origin = ContinuousClock.now
        return PipelineClock { ContinuousClock.now - origin }
    }
}

/// Builds (or loads) the CI profile's environment.
public protocol CIEnvironmentPreparing: Sendable {
    /// - Returns: the profile's tasks.
    /// - Throws: ``ManifestError`` (invalid tasks), `NixError` (the environment build).
    func prepare(profile: String) async throws -> [TaskSpec]
}

/// Runs tasks with their services in the environment ``CIEnvironmentPreparing`` prepared.
public protocol CITaskRunning: Sendable {
    /// - Returns: outcomes in the order tasks finished, and whether a signal stopped the run.
    func run(_ plan: TaskPlan, parallelism: Int) async throws -> (outcomes: [TaskOutcome], interrupted: Bool)
}

/// Builds `[artifacts]` with Nix.
public protocol CIArtifactBuilding: Sendable {
    /// - Returns: the artifact's store paths.
    func build(_ artifact: ArtifactSpec) async throws -> [String]
}

/// Builds `[images]` and writes their build records.
public protocol CIImageBuilding: Sendable {
    func build(_ image: ImageSpec) async throws -> BuildRecord
}

/// Pushes built images to a registry.
public protocol CIRegistryPushing: Sendable {
    /// Checks that `<registry>/<image>:<tag>` is a registry reference for every tag.
    /// - Throws: the registry module's reference error.
    func checkDestination(registry: String, tags: [String]) throws
    /// Pushes `record` to `<registry>/<repository>` with every tag.
    func push(_ record: BuildRecord, registry: String, repository: String, tags: [String]) async throws -> [CIPushResult]
}

/// One repository a push reached.
public struct CIPushResult: Sendable, Equatable {
    /// `HOST/REPOSITORY`.
    public var repository: String
    /// `sha256:<hex>` of the manifest pushed.
    public var manifestDigest: String
    public var uploaded: Int
    public var blobs: Int
    public var bytesSent: Int64
    /// Whether a deploy host pulling from this registry verifies TLS (false for a loopback
    /// registry, which may speak plain HTTP, or with `--tls-verify=false`).
    public var verifyTLS: Bool

    public init(
        repository: String, manifestDigest: String, uploaded: Int, blobs: Int, bytesSent: Int64, verifyTLS: Bool = true
    ) {
        self.repository = repository
        self.manifestDigest = manifestDigest
        self.uploaded = uploaded
        self.blobs = blobs
        self.bytesSent = bytesSent
        self.verifyTLS = verifyTLS
    }

    /// `HOST/REPOSITORY@sha256:<hex>`: what a deploy host pulls.
    public var pull: ImagePull {
        ImagePull(reference: "\(repository)@\(manifestDigest)", verifyTLS: verifyTLS)
    }
}

/// Deploys the targets of `[ci] deploy` (over SlipwayDeploy's ``DeployRun``).
public protocol CIDeploying: Sendable {
    /// Deploys `target` to its hosts, one at a time.
    /// - Parameter images: by `[images]` key, what this run built and where it pushed it.
    /// - Returns: per host, how it ended.
    /// - Throws: ``DeployError`` before any host is touched (secrets, release), Nix errors for a
    ///   closure-mode release.
    func deploy(_ target: DeploySpec, images: [String: BuiltReleaseSource.Image]) async throws -> DeployOutcome
}
