import Foundation
import SlipwayEnvironment
import SlipwayManifest
import SlipwayOCI
import SlipwayCore

/// Where `slipway ci` pushes.
public enum CIRegistry {
    /// `--registry`, else `[ci] registry` (with `$VAR`s expanded), else GitLab's
    /// `CI_REGISTRY_IMAGE`, else `ghcr.io/<owner>/<repo>` from GitHub's `GITHUB_REPOSITORY`.
    /// - Throws: ``CIError/noRegistry`` when none applies or it expands to nothing.
    public static func destination(flag: String?, ci: CISpec, environment: [String: String]) throws -> String {
        var candidate = flag ?? ci.registry.map { EnvironmentExpansion.expand($0) { environment[$0] } }
        if candidate == nil || candidate?.isEmpty == true {
            if let gitlab = environment["CI_REGISTRY_IMAGE"], !gitlab.isEmpty { candidate = gitlab }
            else if let repository = environment["GITHUB_REPOSITORY"], !repository.isEmpty { candidate = "ghcr.io/" + repository.lowercased() }
        }
        var value = candidate?.trimmingCharacters(in: .whitespaces) ?? ""
        if value.hasPrefix("docker://") { value.removeFirst("docker://".count) }
        while value.hasSuffix("/") { value.removeLast() }
        guard !value.isEmpty, value.contains("/") || value.contains(".") || value.contains(":") else {
            throw CIError.noRegistry(given: candidate)
        }
        return value
    }

    /// `--tag`s, else `[ci] tags` with `$VAR`s expanded; empty results are dropped.
    public static func tags(flag: [String], ci: CISpec, environment: [String: String]) throws -> [String] {
        let raw = flag.isEmpty ? ci.tags : flag
        var result: [String] = []
        for tag in raw {
            let value = EnvironmentExpansion.expand(tag) { environment[$0] }
            guard !value.isEmpty else { continue }
            guard ImageTag.isValid(value) else { throw CIError.invalidTag(value) }
            if !result.contains(value) { result.append(value) }
        }
        if result.isEmpty { throw CIError.noTags(raw) }
        return result
    }

    /// The tags of `raw` that expand to nothing in `environment` (and so are not pushed), as
    /// written: `$CI_COMMIT_SHORT_SHA` outside GitLab.
    public static func emptyTags(_ raw: [String], environment: [String: String]) -> [String] {
        raw.filter { EnvironmentExpansion.expand($0) { environment[$0] }.isEmpty }
    }

    /// The status line saying which tags `image` is not pushed with, or `nil` when none was dropped.
    public static func droppedTagsNote(_ dropped: [String], image: String, environment: [String: String]) -> String? {
        guard !dropped.isEmpty else { return nil }
        let gitHubHint = environment["GITHUB_ACTIONS"] == "true" && dropped.contains { $0.contains("CI_COMMIT_SHORT_SHA") }
            ? " (GitLab's variable; on GitHub, $GITHUB_SHA is the commit)" : ""
        return "\(image): tag \(dropped.joined(separator: ", ")) expanded to nothing here, so it is not pushed\(gitHubHint)"
    }
}
