import SlipwayCore
import SlipwayDeploy
import SlipwayManifest
import SlipwayImage
import SlipwayOCI
import SlipwayPipeline
import SlipwayRegistry

/// The real side effects of `slipway ci`'s stages: the terminal, Nix, the task runner, the
/// image builder and the registry client.
enum CICommandContext {
    static func make(
        layout: ProjectLayout, manifest: Manifest, images: [ImageSpec], environment: [String: String],
        registry: RegistryPush.Options, isInterrupted: @escaping @Sendable () -> Bool
    ) throws -> PipelineContext {
        let tasks = CITaskSession(manifestPath: layout.manifest)
        let catalog = ImageCatalog(layout: layout, manifest: manifest, images: images, status: { Terminal.status($0) },
                            warning: { Terminal.writeError($0 + "\n") })
        let deploy = try DeployContext.live(root: layout.root, environment: environment) { Terminal.status($0) }
        return PipelineContext(
            output: TerminalOutput(), variables: environment, isInterrupted: isInterrupted, environment: tasks,
            taskRunner: tasks, artifactBuilder: NixArtifactBuilder(layout: layout, manifest: manifest),
            imageBuilder: CatalogImageBuilder(catalog: catalog),
            registryPusher: CIRegistryPusher(layout: layout, options: registry),
            deployer: ProjectDeployer(
                context: deploy, fallback: ProjectReleaseSource(catalog: catalog, manifest: manifest, layout: layout)))
    }
}

/// Stage output on the terminal, errors in Slipway's one format.
struct TerminalOutput: PipelineOutput {
    func write(_ text: String) { Terminal.write(text) }
    func writeError(_ text: String) { Terminal.writeError(text) }
    func status(_ text: String) { Terminal.status(text) }

    func report(_ error: any Error) {
        if let slipwayError = error as? any SlipwayError { ErrorReport.print(slipwayError) } else { Terminal.writeError("slipway: \(error)\n") }
    }
}

/// The environment and tasks stages over ``TaskSession``: `prepare` loads it, `run` runs a plan in it.
actor CITaskSession: CIEnvironmentPreparing, CITaskRunning {
    let manifestPath: String
    private var session: TaskSession?

    init(manifestPath: String) {
        self.manifestPath = manifestPath
    }

    func prepare(profile: String) async throws -> [TaskSpec] {
        let loaded = try await TaskSession.load(ProjectSelection(profile: profile, manifest: manifestPath))
        session = loaded
        return loaded.tasks
    }

    func run(_ plan: TaskPlan, parallelism: Int) async throws -> (outcomes: [TaskOutcome], interrupted: Bool) {
        guard let session else { throw TaskSessionMissing() }
        return try await session.run(plan, parallelism: parallelism, force: true)
    }

    /// `run` before `prepare`: a programming error of the pipeline.
    struct TaskSessionMissing: Error, CustomStringConvertible {
        var description: String { "the tasks stage ran before the environment stage" }
    }
}

/// The push stage over ``ImagePush``.
struct CIRegistryPusher: CIRegistryPushing {
    let layout: ProjectLayout
    let options: RegistryPush.Options

    func checkDestination(registry: String, tags: [String]) throws {
        for tag in tags { _ = try ImageReference(parsing: "\(registry)/image:\(tag)") }
    }

    func push(_ record: BuildRecord, registry: String, repository: String, tags: [String]) async throws -> [CIPushResult] {
        let destinations = try tags.map { try ImageReference(parsing: "\(registry)/\(repository):\($0)") }
        // A deploy host pulls a loopback (maybe plain-HTTP) registry as this push reached it.
        let verifyTLS = options.tlsVerify && !(destinations.first?.isLoopback ?? false)
        return try await ImagePush.push(record, to: destinations, options: options, layout: layout, quiet: true).map {
            CIPushResult(repository: $0.repository, manifestDigest: $0.manifestDigest.description, uploaded: $0.uploaded,
                         blobs: $0.blobs.count, bytesSent: $0.bytesSent, verifyTLS: verifyTLS)
        }
    }
}
