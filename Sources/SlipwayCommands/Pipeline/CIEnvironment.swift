import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayRegistry
#if canImport(Glibc)
import Glibc
#endif

/// The branch `slipway ci` runs on, and whether `[ci] push` matches it.
enum CIBranch {
    /// GitLab's `CI_COMMIT_BRANCH` (unset in merge-request and tag pipelines), GitHub's
    /// `GITHUB_REF_NAME` for branch refs, else the branch `.git/HEAD` names (nil when detached).
    static func current(root: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if environment["GITLAB_CI"] != nil { return environment["CI_COMMIT_BRANCH"].flatMap { $0.isEmpty ? nil : $0 } }
        if environment["GITHUB_ACTIONS"] != nil {
            guard environment["GITHUB_REF_TYPE"] == "branch" || environment["GITHUB_REF"]?.hasPrefix("refs/heads/") == true else { return nil }
            return environment["GITHUB_REF_NAME"]
        }
        var dir = root
        while true {
            // A worktree or submodule has a `.git` file naming its own git folder.
            var gitDir = dir + "/.git"
            if let link = try? String(contentsOfFile: gitDir, encoding: .utf8), link.hasPrefix("gitdir: ") {
                let target = link.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
                gitDir = target.hasPrefix("/") ? target : dir + "/" + target
            }
            if let head = try? String(contentsOfFile: gitDir + "/HEAD", encoding: .utf8) {
                let line = head.trimmingCharacters(in: .whitespacesAndNewlines)
                return line.hasPrefix("ref: refs/heads/") ? String(line.dropFirst("ref: refs/heads/".count)) : nil
            }
            if dir == "/" || dir.isEmpty { return nil }
            dir = FilePaths.parent(dir)
        }
    }

    /// `push = "main"` / `"release/*"` (fnmatch(3) globs), `true` or `false`. Never for a
    /// merge request or pull request pipeline (their code is not reviewed yet).
    static func pushRuleMatches(_ rule: CISpec.PushRule, branch: String?,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if environment["CI_PIPELINE_SOURCE"] == "merge_request_event" || environment["CI_MERGE_REQUEST_IID"] != nil { return false }
        if let event = environment["GITHUB_EVENT_NAME"], event.hasPrefix("pull_request") { return false }
        switch rule {
        case .never: return false
        case .always: return true
        case .branch(let glob):
            guard let branch else { return false }
            return fnmatch(glob, branch, 0) == 0
        }
    }
}

/// Where `slipway ci` pushes.
enum CIRegistry {
    /// `--registry`, else `[ci] registry` (with `$VAR`s expanded), else GitLab's
    /// `CI_REGISTRY_IMAGE`, else `ghcr.io/<owner>/<repo>` from GitHub's `GITHUB_REPOSITORY`.
    /// - Throws: ``CIError/noRegistry`` when none applies or it expands to nothing.
    static func destination(flag: String?, ci: CISpec, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
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
    static func tags(flag: [String], ci: CISpec, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        let raw = flag.isEmpty ? ci.tags : flag
        var result: [String] = []
        for tag in raw {
            let value = EnvironmentExpansion.expand(tag) { environment[$0] }
            guard !value.isEmpty else { continue }
            guard value.count <= 128, value.first.map({ $0.isLetter || $0.isNumber || $0 == "_" }) == true,
                  value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                throw CIError.invalidTag(value)
            }
            if !result.contains(value) { result.append(value) }
        }
        if result.isEmpty { throw CIError.noTags(raw) }
        return result
    }
}

enum CIError: SlipwayError {
    case noRegistry(given: String?)
    case invalidTag(String)
    case noTags([String])

    var message: String {
        switch self {
        case .noRegistry(let given):
            return given.map { "'\($0)' is not a registry destination (HOST[:PORT]/PATH)" } ?? "no registry to push to"
        case .invalidTag(let tag):
            return "'\(tag)' is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})"
        case .noTags(let raw):
            return "every tag expanded to nothing (\(raw.joined(separator: ", "))): no tag to push"
        }
    }

    var hint: String? {
        switch self {
        case .noRegistry: return "pass --registry HOST[:PORT]/PATH, or set [ci] registry = \"...\" (on GitLab, $CI_REGISTRY_IMAGE is used; on GitHub, ghcr.io/<owner>/<repo>)"
        case .invalidTag, .noTags: return "check [ci] tags and the variables they use, or pass --tag"
        }
    }
}
