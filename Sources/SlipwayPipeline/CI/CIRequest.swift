import SlipwayManifest

/// Everything one `slipway ci` run needs, decided before any stage runs.
public struct CIRequest: Sendable {
    /// `[project] name`, else the project folder's name.
    public var project: String
    /// The CI profile (`--profile`, else `[ci] profile`, else `ci`).
    public var profile: String
    /// `.slipway/ci/`: emptied first, then gets `summary.json` and the tasks' JUnit reports.
    public var ciDirectory: String
    /// The branch the push rule saw, if known.
    public var branch: String?
    /// `[ci] tasks`; nil runs every task of the profile.
    public var tasks: [String]?
    /// Tasks to run at once (1 or more).
    public var jobs: Int
    public var artifacts: [ArtifactSpec]
    public var images: [ImageSpec]
    public var push: CIPushDecision
    public var deploy: CIDeployDecision

    public init(
        project: String, profile: String, ciDirectory: String, branch: String?, tasks: [String]?, jobs: Int,
        artifacts: [ArtifactSpec], images: [ImageSpec], push: CIPushDecision,
        deploy: CIDeployDecision = CIDeployDecision(action: .skip(reason: "no [ci] deploy targets"))
    ) {
        self.project = project
        self.profile = profile
        self.ciDirectory = ciDirectory
        self.branch = branch
        self.tasks = tasks
        self.jobs = jobs
        self.artifacts = artifacts
        self.images = images
        self.push = push
        self.deploy = deploy
    }

    /// The request for `ci` (already decoded with its tasks checked): the artifacts and images
    /// `[ci]` selects (all when it names none), and the push and deploy decisions for `branch`.
    /// - Parameters:
    ///   - targets: the manifest's `[deploy.*]` targets.
    ///   - noDeploy: `--no-deploy`.
    /// - Throws: ``CIError`` from ``CIPushDecision/decide(_:ci:hasImages:branch:environment:)``, or for an
    ///   image's own `tags` when a push is due (an invalid tag, or all expanding to nothing).
    public static func make(
        project: String, ci: CISpec, ciDirectory: String, jobs: Int, allArtifacts: [ArtifactSpec], allImages: [ImageSpec],
        flags: CIPushDecision.Flags, targets: [DeploySpec] = [], noDeploy: Bool = false, branch: String?,
        environment: [String: String]
    ) throws -> CIRequest {
        let artifacts = allArtifacts.filter { ci.artifacts?.contains($0.name) ?? true }
        let images = allImages.filter { ci.images?.contains($0.name) ?? true }
        let push = try CIPushDecision.decide(flags, ci: ci, hasImages: !images.isEmpty, branch: branch, environment: environment)
        if push.target != nil && !push.tagsFromFlag {
            // The images' own tags are checked now too, not after the tests.
            for image in images where !image.tags.isEmpty {
                _ = try CIRegistry.tags(flag: image.tags, ci: ci, environment: environment)
            }
        }
        let deploy = CIDeployDecision.decide(
            ci: ci, targets: targets, pushWanted: push.wanted, noDeploy: noDeploy, branch: branch, environment: environment)
        return CIRequest(
            project: project, profile: ci.profile, ciDirectory: ciDirectory, branch: branch, tasks: ci.tasks, jobs: jobs,
            artifacts: artifacts, images: images, push: push, deploy: deploy)
    }
}
