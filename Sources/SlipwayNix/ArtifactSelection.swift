import SlipwayCore
import SlipwayManifest

/// Picking artifacts by name.
public enum ArtifactSelection {
    /// `names` (every artifact when empty).
    /// - Throws: ``ArtifactError``.
    public static func select(_ names: [String], from artifacts: [ArtifactSpec]) throws -> [ArtifactSpec] {
        try NameSelection.select(names, from: artifacts, name: \.name, none: { ArtifactError.none },
                                 unknown: { ArtifactError.unknown($0, known: $1) })
    }
}

/// `slipway build NAME` with no artifacts, or an unknown name.
public enum ArtifactError: SlipwayError {
    case none
    case unknown(String, known: [String])

    public var message: String {
        switch self {
        case .none: return "the manifest has no [artifacts]"
        case .unknown(let name, let known):
            let near = Spelling.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            return "no artifact named '\(name)'\(near)" + (known.isEmpty ? "" : " (artifacts: \(known.joined(separator: ", ")))")
        }
    }

    public var hint: String? {
        if case .none = self { return "add one, e.g. [artifacts.app] nix = \"runCommand \\\"app\\\" {} ''cp -r ${src} $out''\"" }
        return nil
    }
}
