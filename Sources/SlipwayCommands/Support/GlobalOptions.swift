import ArgumentParser
import SlipwayCore
import SlipwayManifest

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The profile to use (dev, ci, prod or one the manifest declares).")
    var profile: String = Manifest.defaultProfile

    @Option(name: .long, help: "The manifest (default: the nearest slipway.toml in this folder or above).")
    var manifest: String?

    /// The same values as a plain ``ProjectSelection``.
    var selection: ProjectSelection { ProjectSelection(profile: profile, manifest: manifest) }

    /// The project layout, from `--manifest` or by looking for `slipway.toml` upward.
    /// - Throws: ``ManifestError/unreadable(path:reason:)`` when there is none.
    func layout() throws -> ProjectLayout { try selection.layout() }
}

/// Which project and profile a command works on: ``GlobalOptions``' values without
/// ArgumentParser's property wrappers, so that code paths that parse no command line (the
/// plain `run`, `ci`'s stages) can make one.
struct ProjectSelection {
    var profile: String = Manifest.defaultProfile
    /// `--manifest`, as given (relative to the current folder), or `nil` for the nearest one.
    var manifest: String?

    /// The project layout, from `manifest` or by looking for `slipway.toml` upward.
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
