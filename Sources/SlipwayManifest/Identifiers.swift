import SlipwayCore

/// Shapes of names the manifest accepts.
public enum Identifiers {
    /// Package keys, profile, input and service names: `[A-Za-z0-9_][A-Za-z0-9_-]*`.
    public static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isWordScalar(first) else { return false }
        return text.unicodeScalars.allSatisfy { isWordScalar($0) || $0 == "-" }
    }

    /// A Nix attribute path: identifiers (`[A-Za-z_][A-Za-z0-9_'-]*`) joined by dots.
    public static func isAttributePath(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first,
                  first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
            return part.unicodeScalars.allSatisfy { isWordScalar($0) || $0 == "-" || $0 == "'" }
        }
    }

    /// POSIX environment names: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isEnvName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || isLetter(first) else { return false }
        return text.unicodeScalars.allSatisfy(isWordScalar)
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    private static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        isLetter(c) || ("0"..."9").contains(c) || c == "_"
    }
}

/// Flake references as the manifest writes them.
public enum FlakeRefs {
    /// Makes path refs absolute: `./x`, `../x`, `/x`, `path:./x` become `path:/abs/x`, relative to
    /// `root` (the manifest's folder). Other refs (`github:`, `git+https:`, registry names) are kept.
    public static func resolve(_ ref: String, root: String) -> String {
        var path = ref
        if path.hasPrefix("path:") {
            path.removeFirst(5)
        } else if !(path.hasPrefix("./") || path.hasPrefix("../") || path.hasPrefix("/") || path == "." || path == "..") {
            return ref
        }
        var query = ""
        if let q = path.firstIndex(of: "?") {
            query = String(path[q...])
            path = String(path[..<q])
        }
        return "path:" + FilePaths.absolute(path, relativeTo: root) + query
    }
}
