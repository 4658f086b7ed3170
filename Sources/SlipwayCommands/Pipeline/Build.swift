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
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.write(String(decoding: try encoder.encode(built), as: UTF8.self) + "\n")
        }
    }
}

/// Picking artifacts by name.
enum ArtifactSelection {
    /// `names` (every artifact when empty).
    /// - Throws: ``ArtifactError``.
    static func select(_ names: [String], from artifacts: [ArtifactSpec]) throws -> [ArtifactSpec] {
        try NameSelection.select(names, from: artifacts, name: \.name, none: { ArtifactError.none },
                                 unknown: { ArtifactError.unknown($0, known: $1) })
    }
}

enum ArtifactError: SlipwayError {
    case none
    case unknown(String, known: [String])

    var message: String {
        switch self {
        case .none: return "the manifest has no [artifacts]"
        case .unknown(let name, let known):
            let near = Spelling.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            return "no artifact named '\(name)'\(near)" + (known.isEmpty ? "" : " (artifacts: \(known.joined(separator: ", ")))")
        }
    }

    var hint: String? {
        if case .none = self { return "add one, e.g. [artifacts.app] nix = \"runCommand \\\"app\\\" {} ''cp -r ${src} $out''\"" }
        return nil
    }
}
