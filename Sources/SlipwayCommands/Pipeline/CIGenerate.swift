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
            The job installs Nix and Slipway ($SLIPWAY_FLAKE), caches .slipway/cache and the registry \
            blob list keyed on slipway.lock, runs `slipway ci` in the manifest's folder, keeps the JUnit \
            reports, and adds --push only on the default branch. `slipway ci` reads [ci] when it runs: \
            regenerate only after changing [ci] registry or push, or moving the manifest.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "gitlab or github.")
    var provider: String

    @Option(name: .shortAndLong, help: "Write to PATH (\"-\" for stdout; default: print). `--output default` writes .gitlab-ci.yml or .github/workflows/slipway.yml at the repository root.")
    var output: String?

    func run() async throws {
        guard let which = CIProvider(rawValue: provider.lowercased()) else {
            throw ValidationError("unknown CI system '\(provider)'; use gitlab or github")
        }
        let layout = try global.layout()
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: EnvironmentResolver(layout: layout).displayName)
        let images = try manifest.images()
        let ci = try manifest.ci(tasks: [], artifacts: try manifest.artifacts(), images: images, checkTasks: false)
        let repository = Self.repositoryRoot(from: layout.root)
        let directory = layout.root == repository ? "." : String(layout.root.dropFirst(repository.count + 1))
        let request = PipelineRequest(
            projectName: manifest.project.name ?? (layout.root as NSString).lastPathComponent, manifestDirectory: directory,
            ci: ci, hasImages: !(ci.images.map { !$0.isEmpty } == false || images.isEmpty))
        let text = try PipelineGenerator.render(which, request)
        guard let output, output != "-" else {
            Terminal.write(text)
            return
        }
        let path = output == "default" ? repository + "/" + which.defaultPath : FilePaths.absolute(output)
        try FileManager.default.createDirectory(atPath: FilePaths.parent(path), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        Terminal.status("wrote \(path)")
    }

    /// The nearest folder at or above `root` with `.git`, else `root`.
    static func repositoryRoot(from root: String) -> String {
        var dir = root
        while true {
            if FileManager.default.fileExists(atPath: dir + "/.git") { return dir }
            if dir == "/" || dir.isEmpty { return root }
            dir = FilePaths.parent(dir)
        }
    }
}
