import Foundation
import SlipwayCore
import SlipwayManifest
#if canImport(Glibc)
import Glibc
#endif

/// The branch `slipway ci` runs on, and whether `[ci] push` matches it.
public enum CIBranch {
    /// GitLab's `CI_COMMIT_BRANCH` (unset in merge-request and tag pipelines), GitHub's
    /// `GITHUB_REF_NAME` for branch refs, else the branch `.git/HEAD` names (nil when detached).
    public static func current(root: String, environment: [String: String]) -> String? {
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
    public static func pushRuleMatches(_ rule: CISpec.PushRule, branch: String?,
                                environment: [String: String]) -> Bool {
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
