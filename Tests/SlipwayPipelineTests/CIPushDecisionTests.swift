import SlipwayCore
import SlipwayManifest
import Testing
@testable import SlipwayPipeline

/// The `[ci] push` rule, branch detection and registry and tag defaults, as tables (no Nix, no
/// registry). The first table keeps the five cases checked by hand in the December 2026 review.
@Suite("CI push rules")
struct CIPushDecisionTests {
    static func ci(push: CISpec.PushRule = .branch("main"), registry: String? = nil, tags: [String] = ["latest"]) -> CISpec {
        var spec = CISpec(location: SlipwayCore.SourceLocation(file: "slipway.toml", line: 1, column: 1))
        spec.push = push
        spec.registry = registry
        spec.tags = tags
        return spec
    }

    static func decide(_ environment: [String: String], flags: CIPushDecision.Flags = .init(), ci: CISpec = ci(),
                       hasImages: Bool = true) throws -> CIPushDecision {
        let branch = CIBranch.current(root: "/nonexistent", environment: environment)
        return try CIPushDecision.decide(flags, ci: ci, hasImages: hasImages, branch: branch, environment: environment)
    }

    /// An image's own tags are checked before any stage when a push is due, unless `--tag` replaces them.
    @Test func imageTagsAreCheckedBeforeAnyStage() throws {
        var image = ImageSpec(name: "web", location: SlipwayCore.SourceLocation(file: "slipway.toml", line: 1, column: 1))
        image.tags = ["$UNSET_TAG"]
        func make(_ flags: CIPushDecision.Flags) throws -> CIRequest {
            try CIRequest.make(project: "p", ci: Self.ci(registry: "localhost:5000/g"), ciDirectory: "/tmp", jobs: 1, allArtifacts: [],
                               allImages: [image], flags: flags, branch: "main", environment: [:])
        }
        #expect(throws: CIError.self) { try make(.init(push: true)) }
        #expect(throws: Never.self) { try make(.init(push: true, tags: ["v1"])) }
        #expect(throws: Never.self) { try make(.init(noPush: true)) }
    }

    /// `[ci] push = "main"`, one image, no `[ci] registry`.
    @Test(arguments: [
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main"], nil as Bool?),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main", "CI_MERGE_REQUEST_IID": "7"], false),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "feature"], false),
        (["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF_TYPE": "branch",
          "GITHUB_REF_NAME": "main", "GITHUB_REPOSITORY": "Owner/Repo"], false),
        (["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF_TYPE": "branch",
          "GITHUB_REF_NAME": "main", "GITHUB_REPOSITORY": "Owner/Repo"], true),
    ])
    func reviewCases(environment: [String: String], pushes: Bool?) throws {
        guard let pushes else {
            // The rule matched and there is nowhere to push: refused before any stage.
            #expect(throws: CIError.self) { try Self.decide(environment) }
            return
        }
        let decision = try Self.decide(environment)
        #expect(decision.wanted == pushes)
        #expect((decision.target != nil) == pushes)
        if pushes { #expect(decision.target?.registry == "ghcr.io/owner/repo") }
    }

    @Test(arguments: [
        ([String: String](), CISpec.PushRule.branch("main"), "not asked (--push), and [ci] push does not match branch (unknown: no CI variables, no .git)"),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "dev"], .never, "not asked (--push)"),
        (["GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event"], .always,
         "a merge or pull request pipeline never pushes by [ci] push"),
        (["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request_target"], .always,
         "a merge or pull request pipeline never pushes by [ci] push"),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "feature"], .branch("release/*"),
         "not asked (--push), and [ci] push does not match branch feature"),
    ])
    func skipReasons(environment: [String: String], rule: CISpec.PushRule, reason: String) throws {
        let decision = try Self.decide(environment, ci: Self.ci(push: rule))
        #expect(!decision.wanted)
        #expect(decision.action == .skip(reason: reason))
    }

    @Test func flagsWinOverTheRule() throws {
        let gitlabMain = ["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main", "CI_REGISTRY_IMAGE": "registry.gitlab.com/g/p"]
        let noPush = try Self.decide(gitlabMain, flags: .init(noPush: true))
        #expect(noPush.action == .skip(reason: "--no-push") && !noPush.wanted)
        let forced = try Self.decide(["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "feature"],
                                     flags: .init(push: true, registry: "localhost:5000/x/", tags: ["v1", "v1", "$NOPE"]))
        #expect(forced.action == .push(registry: "localhost:5000/x", tags: ["v1"]), "trailing slash and duplicate dropped")
        let noImages = try Self.decide(gitlabMain, flags: .init(push: true), hasImages: false)
        #expect(noImages.wanted && noImages.action == .skip(reason: "no images"), "no registry needed without images")
    }

    @Test(arguments: [
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "release/1.2"], "release/1.2"),
        (["GITLAB_CI": "true"], nil),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": ""], nil),
        (["GITHUB_ACTIONS": "true", "GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v1"], nil),
        (["GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"], "main"),
    ] as [([String: String], String?)])
    func branchFromCIVariables(environment: [String: String], branch: String?) {
        #expect(CIBranch.current(root: "/nonexistent", environment: environment) == branch)
    }

    @Test(arguments: [
        (nil, ["CI_REGISTRY_IMAGE": "registry.gitlab.com/group/project"], "registry.gitlab.com/group/project"),
        (nil, ["GITHUB_REPOSITORY": "Me/App"], "ghcr.io/me/app"),
        ("docker://$HOST/team", ["HOST": "registry.example.com", "CI_REGISTRY_IMAGE": "other.io/x"], "registry.example.com/team"),
        ("$EMPTY", ["GITHUB_REPOSITORY": "me/app"], "ghcr.io/me/app"),
    ] as [(String?, [String: String], String)])
    func registryDefaults(registry: String?, environment: [String: String], expected: String) throws {
        #expect(try CIRegistry.destination(flag: nil, ci: Self.ci(registry: registry), environment: environment) == expected)
    }

    @Test func registryAndTagErrors() throws {
        #expect(throws: CIError.self) { try CIRegistry.destination(flag: "justaname", ci: Self.ci(), environment: [:]) }
        #expect(throws: CIError.self) { try CIRegistry.destination(flag: nil, ci: Self.ci(), environment: [:]) }
        #expect(throws: CIError.self) { try CIRegistry.tags(flag: ["-bad"], ci: Self.ci(), environment: [:]) }
        #expect(throws: CIError.self) { try CIRegistry.tags(flag: [], ci: Self.ci(tags: ["$UNSET"]), environment: [:]) }
        #expect(try CIRegistry.tags(flag: [], ci: Self.ci(tags: ["latest", "$SHA"]), environment: ["SHA": "abc1234"]) == ["latest", "abc1234"])
    }

    /// A tag that expands to nothing is dropped, and said: `$CI_COMMIT_SHORT_SHA` on GitHub.
    @Test func droppedTagsAreSaid() throws {
        let ci = Self.ci(registry: "registry.example.com/team", tags: ["latest", "$CI_COMMIT_SHORT_SHA"])
        let onGitHub = ["GITHUB_ACTIONS": "true"]
        let decision = try CIPushDecision.decide(
            CIPushDecision.Flags(push: true), ci: ci, hasImages: true, branch: "main", environment: onGitHub)
        #expect(decision.action == .push(registry: "registry.example.com/team", tags: ["latest"]))
        #expect(decision.droppedTags == ["$CI_COMMIT_SHORT_SHA"])
        let note = CIRegistry.droppedTagsNote(decision.droppedTags, image: "app", environment: onGitHub)
        #expect(note == "app: tag $CI_COMMIT_SHORT_SHA expanded to nothing here, so it is not pushed (GitLab's variable; on GitHub, $GITHUB_SHA is the commit)")
        #expect(CIRegistry.droppedTagsNote(["$V"], image: "app", environment: [:]) == "app: tag $V expanded to nothing here, so it is not pushed")
        let set = try CIPushDecision.decide(
            CIPushDecision.Flags(push: true), ci: ci, hasImages: true, branch: "main", environment: ["CI_COMMIT_SHORT_SHA": "abc1234"])
        #expect(set.droppedTags.isEmpty && CIRegistry.droppedTagsNote(set.droppedTags, image: "app", environment: [:]) == nil)
    }
}
