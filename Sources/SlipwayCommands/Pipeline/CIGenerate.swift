import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline

/// `slipway ci generate gitlab|github [--output PATH]`
struct CIGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Print (or write) a .gitlab-ci.yml or a GitHub Actions workflow that runs `slipway ci`.",
        discussion: """
            The job installs Slipway when its image has none: the release tarball of this version from \
            $SLIPWAY_RELEASE_URL, its bin/slipway checked against this binary's SHA-256 (or $SLIPWAY_FLAKE \
            with `nix profile install` when set). It caches .slipway/cache and the registry \
            blob list keyed on slipway.lock, runs `slipway ci` in the manifest's folder, keeps the JUnit \
            reports, and adds --push only on the default branch. `slipway ci` reads [ci] when it runs: \
            regenerate only after changing [ci] registry, push or deploy, or moving the manifest. With [ci] \
            deploy, each target gets a deploy job after the build job (`slipway deploy NAME` on the default \
            branch). `gitlab --component` writes a GitLab CI/CD component (templates/slipway.yml) instead.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "gitlab or github.")
    var provider: CIProvider

    @Option(name: .shortAndLong, help: "Write to PATH (\"-\" for stdout; default: print). `--output default` writes .gitlab-ci.yml or .github/workflows/slipway.yml at the repository root.")
    var output: String?

    @Flag(help: "Overwrite an --output file that Slipway did not generate.")
    var force = false

    @Flag(help: "gitlab only: write a CI/CD component (templates/slipway.yml with spec:inputs) that other projects include.")
    var component = false

    @Option(help: "gitlab only: the jobs' image (default: \(PipelineGenerator.gitLabNixImage)); it must run as root with Nix on PATH. A component takes it as its `image` input instead.")
    var image: String?

    func validate() throws {
        if component && provider != .gitlab { throw ValidationError("--component is for gitlab (a GitLab CI/CD component)") }
        if image != nil && (provider != .gitlab || component) {
            throw ValidationError("--image is for `ci generate gitlab` (GitHub jobs run on the runner's machine, with Nix installed by an action; a component has the `image` input)")
        }
    }

    func run() async throws {
        if component { return try writeComponent() }
        let which = provider
        // Symbolic links resolved, so that the folder is placed right in the repository.
        let layout = ProjectLayout(manifest: URL(fileURLWithPath: try global.layout().manifest).resolvingSymlinksInPath().path)
        guard (layout.manifest as NSString).lastPathComponent == "slipway.toml" else {
            throw ValidationError("the generated job runs `slipway ci` in the manifest's folder, which finds only a file named slipway.toml; rename \(layout.manifest)")
        }
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: EnvironmentResolver(layout: layout).displayName)
        let images = try manifest.images()
        let ci = manifest.sections.ci
        let repository = PipelineFile.repositoryRoot(from: layout.root)
        let directory = layout.root == repository ? "." : String(layout.root.dropFirst(repository.count + 1))
        let targets = try manifest.deployTargets()
        let request = PipelineRequest(
            projectName: manifest.project.name ?? (layout.root as NSString).lastPathComponent, manifestDirectory: directory,
            ci: ci, hasImages: !(ci.images.map { !$0.isEmpty } == false || images.isEmpty),
            deploy: ci.deploy.compactMap { name in targets.first { $0.name == name } }, jobImage: image,
            pin: try SlipwayPin.current())
        let text = try PipelineGenerator.render(which, request)
        guard let output, output != "-" else {
            Terminal.write(text)
            return
        }
        let path = output == "default" ? repository + "/" + which.defaultPath : FilePaths.absolute(output)
        try PipelineFile.write(text, to: path, force: force)
        Terminal.status("wrote \(path)")
    }
}

extension CIGenerate {
    /// `--component`: the component does not depend on any manifest (the including project's is read at run time).
    func writeComponent() throws {
        let text = try GitLabComponent.render(pin: try SlipwayPin.current())
        guard let output, output != "-" else {
            Terminal.write(text)
            return
        }
        let root = PipelineFile.repositoryRoot(from: FileManager.default.currentDirectoryPath)
        let path = output == "default" ? root + "/" + GitLabComponent.path : FilePaths.absolute(output)
        try PipelineFile.write(text, to: path, force: force)
        Terminal.status("wrote \(path)")
    }
}

/// `gitlab` or `github`, in any case.
extension CIProvider: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}
