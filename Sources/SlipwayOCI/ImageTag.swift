/// The tag grammar of the OCI distribution spec (§"Pulling manifests", `<reference>` as a tag):
/// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. The one check for image tags (references and `[ci] tags`).
public enum ImageTag {
    /// The grammar, as the spec writes it (for messages).
    public static let grammar = "[A-Za-z0-9_][A-Za-z0-9._-]{0,127}"

    /// Whether `tag` is 1 to 128 ASCII letters, digits, `_`, `.` and `-`, not starting with `.` or `-`.
    public static func isValid(_ tag: String) -> Bool {
        guard let first = tag.unicodeScalars.first, tag.unicodeScalars.count <= 128 else { return false }
        guard isWordScalar(first) else { return false }
        return tag.unicodeScalars.allSatisfy { isWordScalar($0) || $0 == "." || $0 == "-" }
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": return true
        default: return false
        }
    }
}
