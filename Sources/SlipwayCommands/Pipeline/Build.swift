import ArgumentParser
import Foundation
import SlipwayImage
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix

/// `slipway build [NAME...] [--json]`
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build artifacts (Nix builds of the project itself) and link result-NAME to each.",
        discussion: """
            `nix = "<expression>"` artifacts see the package set (`pkgs` and, through `with`, its \
            attributes), `src` (the project folder without .slipway/, .git/ and result*), `packages` \
            (the artifact profile's packages by key) and `inputs`. `flake = "<ref>#<attr>"` artifacts \
            are built as `nix build` would, from the project folder.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the built store paths as JSON.")
    var json = false

    @Argument(help: "Artifacts to build (default: all).")
    var names: [String] = []

    func run() async throws {
        let layout = try global.layout()
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: EnvironmentResolver(layout: layout).displayName)
        let selected = try ArtifactSelection.select(names, from: try manifest.artifacts())
        let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: manifest)
        var built: [BuiltArtifact] = []
        for artifact in selected {
            Terminal.status("building artifact \(artifact.name)")
            let result = try await backend.buildArtifact(artifact)
            built.append(result)
            if !json { Terminal.write("\(artifact.name) \(result.storePaths.joined(separator: " ")) (result-\(artifact.name))\n") }
        }
        if json {
            Terminal.write(try PrettyJSON.text(built) + "\n")
        }
    }
}
