import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline
import SlipwayProcess
import SlipwayRegistry

/// `slipway ci [run] [--push]` and `slipway ci generate gitlab|github`.
struct CI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Run the pipeline of [ci] (the same locally and on a runner), or generate a GitLab/GitHub file that runs it.",
        subcommands: [CIRun.self, CIGenerate.self],
        defaultSubcommand: CIRun.self)
}

/// `slipway ci [--push]`
struct CIRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Build the CI environment, run the tasks with their services, build artifacts and images, push when asked.",
        discussion: """
            Stages stop at the first failure. Writes .slipway/ci/summary.json and copies the tasks' \
            JUnit reports into .slipway/ci/<task>/. Images are pushed with --push, or when [ci] push \
            matches the branch (CI_COMMIT_BRANCH, GITHUB_REF_NAME, or .git/HEAD), to \
            <registry>/<image>:<tag> for each of [ci] tags. Then, when the push ran and [ci] deploy_when \
            matches the branch (never in a merge or pull request pipeline), the [ci] deploy targets are \
            deployed with the images just pushed (hosts pull them by digest, or get them over ssh).
            """)

    @Option(help: "The profile (default: [ci] profile, else ci).") var profile: String?
    @Option(help: "The manifest (default: the nearest slipway.toml).") var manifest: String?
    @Flag(help: "Push the images (whatever [ci] push says).") var push = false
    @Flag(name: .customLong("no-push"), help: "Do not push, even when [ci] push matches the branch.") var noPush = false
    @Flag(name: .customLong("no-deploy"), help: "Do not deploy [ci] deploy, even when the push runs.") var noDeploy = false
    @Option(help: "Where images go: HOST[:PORT]/PATH (default: [ci] registry, $CI_REGISTRY_IMAGE, or ghcr.io/$GITHUB_REPOSITORY).")
    var registry: String?
    @Option(name: .customLong("tag"), help: "Tags to push instead of [ci] tags (repeatable).") var tags: [String] = []
    @Option(name: .customLong("task"), help: "Tasks to run instead of [ci] tasks (repeatable).") var onlyTasks: [String] = []
    @Option(name: .shortAndLong, help: "Tasks to run at once.") var jobs: Int = ProcessorCount.active
    @Option(name: .customLong("tls-verify"), help: "Verify registry TLS certificates (false also allows plain HTTP).") var tlsVerify: Bool = true
    @Option(name: .customLong("cert-dir"), help: "A folder of extra CA certificates for the registry.") var certDir: String?

    func validate() throws {
        if push && noPush { throw ValidationError("--push and --no-push exclude each other") }
        if jobs < 1 { throw ValidationError("--jobs must be 1 or more") }
    }

    func run() async throws {
        let layout = try GlobalOptions.parse(manifest.map { ["--manifest", $0] } ?? []).layout()
        let displayName = EnvironmentResolver(layout: layout).displayName
        let loaded = try ManifestLoader.load(path: layout.manifest, displayName: displayName)
        let environment = ProcessInfo.processInfo.environment
        let request = try request(layout: layout, loaded: loaded, environment: environment)
        let interrupted = InterruptFlag()
        let interrupts = InterruptHandler { interrupted.set() }
        defer { interrupts.restore() }
        let context = try CICommandContext.make(
            layout: layout, manifest: loaded, images: request.images, environment: environment,
            registry: RegistryPush.Options(certDir: certDir, tlsVerify: tlsVerify, chunkSize: ImagePush.chunkSize), isInterrupted: { interrupted.isSet })
        let summary = try await CIPipeline(request).run(context)
        try summary.write(to: layout.ciDir + "/summary.json")
        Terminal.writeError(CIReport.render(summary, summaryPath: ".slipway/ci/summary.json"))
        if summary.result != .passed { throw ExitCodeError(code: summary.exitCode) }
    }

    /// Everything the manifest or the flags can get wrong is reported here, before any stage runs.
    /// - Throws: ``ManifestError``, ``CIError``.
    func request(layout: ProjectLayout, loaded: Manifest, environment: [String: String]) throws -> CIRequest {
        let artifacts = try loaded.artifacts()
        let images = try loaded.images()
        var ci = try loaded.ci(tasks: [], artifacts: artifacts, images: images, checkTasks: false)
        let chosenProfile = profile ?? ci.profile
        let ciProfile = try loaded.resolve(profile: chosenProfile)
        let declaredTasks = try loaded.tasks(of: ciProfile, services: try loaded.services(of: ciProfile))
        ci = try loaded.ci(tasks: declaredTasks, artifacts: artifacts, images: images)
        ci.profile = chosenProfile
        if !onlyTasks.isEmpty {
            let names = declaredTasks.map(\.name)
            if let unknown = onlyTasks.first(where: { !names.contains($0) }) {
                throw ValidationError("--task \(unknown): profile '\(chosenProfile)' has no such task (tasks: \(names.joined(separator: ", ")))")
            }
            ci.tasks = onlyTasks
        }
        let flags = CIPushDecision.Flags(push: push, noPush: noPush, registry: registry, tags: tags)
        return try CIRequest.make(
            project: loaded.project.name ?? (layout.root as NSString).lastPathComponent, ci: ci, ciDirectory: layout.ciDir,
            jobs: jobs, allArtifacts: artifacts, allImages: images, flags: flags,
            targets: try loaded.deployTargets(), noDeploy: noDeploy, branch: CIBranch.current(root: layout.root, environment: environment), environment: environment)
    }
}
