import SlipwayCore
import SlipwayOCI

/// Why `slipway ci` cannot push where it was asked to (reported before any stage runs).
public enum CIError: SlipwayError {
    case noRegistry(given: String?)
    case invalidTag(String)
    case noTags([String])

    public var message: String {
        switch self {
        case .noRegistry(let given):
            return given.map { "'\($0)' is not a registry destination (HOST[:PORT]/PATH)" } ?? "no registry to push to"
        case .invalidTag(let tag):
            return "'\(tag)' is not a valid image tag (\(ImageTag.grammar))"
        case .noTags(let raw):
            return "every tag expanded to nothing (\(raw.joined(separator: ", "))): no tag to push"
        }
    }

    public var hint: String? {
        switch self {
        case .noRegistry: return "pass --registry HOST[:PORT]/PATH, or set [ci] registry = \"...\" (on GitLab, $CI_REGISTRY_IMAGE is used; on GitHub, ghcr.io/<owner>/<repo>)"
        case .invalidTag, .noTags: return "check [ci] tags and the variables they use, or pass --tag"
        }
    }
}
