import SlipwayCore

/// Why `slipway ci generate` could not write a CI configuration.
public enum CIGenerationError: Error, Sendable, Equatable {
    /// `[project] name` is empty (or only spaces): jobs and caches are named after it.
    case emptyProjectName
    /// The manifest directory is absolute or leaves the repository (`..`).
    case invalidManifestDirectory(String)
    /// The YAML emitter's output did not have the expected shape (a bug, not a user error).
    case emitter(String)
}

extension CIGenerationError: SlipwayError {
    public var message: String {
        switch self {
        case .emptyProjectName:
            return "the project has no name; CI jobs and caches are named after it"
        case .invalidManifestDirectory(let path):
            return "cannot generate CI for the manifest folder '\(path)': it must be inside the repository, as a relative path"
        case .emitter(let detail):
            return "internal error while writing the CI configuration: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .emptyProjectName: "set [project] name = \"...\" in slipway.toml"
        case .invalidManifestDirectory: "run `slipway ci generate` from inside the repository's checkout"
        case .emitter: nil
        }
    }
}
