import ArgumentParser
import SlipwayCore
import SlipwayManifest

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The profile to use (dev, ci, prod or one the manifest declares).")
    var profile: String = Manifest.defaultProfile

    @Option(name: .long, help: "The manifest (default: the nearest slipway.toml in this folder or above).")
    var manifest: String?

    /// The project layout, from `--manifest` or by looking for `slipway.toml` upward.
    /// - Throws: ``ManifestError/unreadable(path:reason:)`` when there is none.
    func layout() throws -> ProjectLayout {
        if let manifest {
            return ProjectLayout(manifest: FilePaths.absolute(manifest))
        }
        if let nearest = ProjectLayout.nearest(from: FilePaths.currentDirectory()) { return nearest }
        throw ManifestError.unreadable(
            path: "slipway.toml", reason: "no slipway.toml in \(FilePaths.currentDirectory()) or any folder above")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
