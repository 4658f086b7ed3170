@testable import SlipwayPipeline
import Testing
import Yams

/// `.gitlab-ci.yml` read back with Yams: the structure GitLab acts on.
@Suite struct GitLabPipelineTests {
    /// Global and job keywords of the CI/CD YAML syntax reference (docs.gitlab.com/ci/yaml/)
    /// that the generator may use.
    static let globalKeywords: Set = ["stages", "variables", "workflow", "default", "include"]
    static let jobKeywords: Set = [
        "stage", "image", "variables", "cache", "before_script", "script", "rules", "artifacts",
    ]

    @Test func guestbookJob() throws {
        let (_, root) = try Fixture.render(.gitlab, Fixture.guestbook)
        #expect(Fixture.keys(root) == ["stages", "variables", "workflow", "guestbook:ci"])
        #expect(Fixture.strings(root["stages"]) == ["ci"])
        #expect(root["variables"]?["NIX_CONFIG"]?.string?.contains("nix-command flakes") == true)
        #expect(root["variables"]?["SLIPWAY_VERSION"]?.string == SlipwayPin.unhashed.version)
        #expect(root["variables"]?["SLIPWAY_SHA256"]?.string == SlipwayPin.unhashed.binarySHA256)
        #expect(root["variables"]?["SLIPWAY_RELEASE_URL"]?.string?.hasSuffix("/v" + SlipwayPin.unhashed.version) == true)
        #expect(root["variables"]?["SLIPWAY_FLAKE"]?.string == "")

        let job = try #require(root["guestbook:ci"])
        #expect(Set(Fixture.keys(job)).isSubset(of: Self.jobKeywords))
        #expect(job["stage"]?.string == "ci")
        let image = try #require(job["image"]?.string)
        #expect(image.hasPrefix("nixos/nix:") && !image.hasSuffix(":latest"))
        #expect(Fixture.strings(job["before_script"]) == PipelineGenerator.gitLabInstallLines)
        #expect(PipelineGenerator.gitLabInstallLines[0].hasPrefix("command -v slipway > /dev/null || "))
        #expect(PipelineGenerator.gitLabInstallLines[0].contains("sha256sum -c -"))
        #expect(Fixture.strings(job["script"]) == ["cd examples/guestbook", "slipway ci $SLIPWAY_CI_ARGS", "slipway cache export \"$SLIPWAY_NIX_CACHE\""])
        #expect(job["variables"]?["SLIPWAY_NIX_CACHE"]?.string == "$CI_PROJECT_DIR/examples/guestbook/.slipway/nix-cache")
        #expect(job["variables"]?["XDG_CACHE_HOME"]?.string == "$CI_PROJECT_DIR/examples/guestbook/.slipway/xdg-cache")

        let cache = try #require(job["cache"])
        #expect(Fixture.strings(cache["key"]?["files"]) == ["examples/guestbook/slipway.lock"])
        #expect(cache["key"]?["prefix"]?.string == "slipway-guestbook")
        #expect(Fixture.strings(cache["paths"]) == [
            "examples/guestbook/.slipway/cache/",
            "examples/guestbook/.slipway/nix-cache/",
            "examples/guestbook/.slipway/registry/",
            "examples/guestbook/.slipway/xdg-cache/slipway/",
        ])

        #expect(job["artifacts"]?["when"]?.string == "always")
        #expect(job["artifacts"]?["reports"]?["junit"]?.string == "examples/guestbook/.slipway/ci/**/*.xml")
    }

    /// `--image`: every job (build and deploy) runs in the given image; nothing else changes.
    @Test func jobImageOverride() throws {
        var request = Fixture.guestbookDeploy
        request.jobImage = "registry.example.com/ci/nix-slipway:1"
        let (text, root) = try Fixture.render(.gitlab, request)
        let (defaultText, _) = try Fixture.render(.gitlab, Fixture.guestbookDeploy)
        let images = Fixture.scalars(root).filter { $0.path.hasSuffix(".image") }
        #expect(images.count == 3)
        #expect(images.allSatisfy { $0.value == "registry.example.com/ci/nix-slipway:1" })
        #expect(text.replacingOccurrences(of: "registry.example.com/ci/nix-slipway:1", with: PipelineGenerator.gitLabNixImage) == defaultText)
    }

    /// `--push` is set by the default-branch rule only; every other pipeline (merge requests
    /// included) runs plain `slipway ci`.
    @Test func pushesOnlyFromTheDefaultBranch() throws {
        let (_, root) = try Fixture.render(.gitlab, Fixture.guestbook)
        let job = try #require(root["guestbook:ci"])
        #expect(job["variables"]?["SLIPWAY_CI_ARGS"]?.string == "")
        let rules = try #require(job["rules"]?.sequence)
        #expect(rules.count == 2)
        #expect(rules[0]["if"]?.string == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
        #expect(rules[0]["variables"]?["SLIPWAY_CI_ARGS"]?.string == "--push")
        #expect(rules[1]["if"] == nil && rules[1]["variables"] == nil)
        let pushes = Fixture.scalars(root).filter { $0.value.contains("--push") }.map(\.path)
        #expect(pushes == [".guestbook:ci.rules.0.variables.SLIPWAY_CI_ARGS"])
    }

    @Test func oneKindOfPipelinePerPush() throws {
        let (_, root) = try Fixture.render(.gitlab, Fixture.guestbook)
        let rules = try #require(root["workflow"]?["rules"]?.sequence)
        #expect(rules.map { $0["if"]?.string } == [
            "$CI_PIPELINE_SOURCE == \"merge_request_event\"",
            "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS",
            "$CI_COMMIT_BRANCH",
        ])
        #expect(rules[1]["when"]?.string == "never")
    }

    @Test func minimalProjectHasNoPushAndNoImageCaches() throws {
        let (text, root) = try Fixture.render(.gitlab, Fixture.minimal)
        #expect(Set(Fixture.keys(root)).subtracting(["hello:ci"]).isSubset(of: Self.globalKeywords))
        let job = try #require(root["hello:ci"])
        #expect(Fixture.strings(job["script"]) == ["slipway ci", "slipway cache export \"$SLIPWAY_NIX_CACHE\""])
        #expect(job["rules"] == nil && Fixture.keys(job["variables"]) == ["SLIPWAY_NIX_CACHE"])
        #expect(Fixture.strings(job["cache"]?["key"]?["files"]) == ["slipway.lock"])
        #expect(Fixture.strings(job["cache"]?["paths"]) == [".slipway/cache/", ".slipway/nix-cache/"])
        #expect(job["artifacts"]?["reports"]?["junit"]?.string == ".slipway/ci/**/*.xml")
        #expect(!text.contains("--push") && !text.contains("CI_REGISTRY"))
    }

    @Test func explainsTheCacheAndTheRegistry() throws {
        let comments = Fixture.comments(try PipelineGenerator.render(.gitlab, Fixture.guestbook))
        #expect(comments.contains("reads it through SLIPWAY_NIX_CACHE as a substituter"))
        #expect(comments.contains("predefined CI_REGISTRY_USER and CI_REGISTRY_PASSWORD"))
        #expect(comments.contains("whose bin/slipway must have the SHA-256 in SLIPWAY_SHA256"))
    }

    /// Another registry than GitLab's needs its own credentials: the comment says which.
    @Test func otherRegistryAsksForSlipwayVariables() throws {
        var request = Fixture.guestbook
        request.ci = Fixture.ci(registry: "registry.example.com/team")
        let comments = Fixture.comments(try PipelineGenerator.render(.gitlab, request))
        #expect(comments.contains("Images go to registry.example.com/team ([ci] registry)"))
        #expect(comments.contains("add SLIPWAY_REGISTRY_USER and SLIPWAY_REGISTRY_PASSWORD"))
        request.ci = Fixture.ci(registry: "$CI_REGISTRY_IMAGE/images")
        #expect(try !PipelineGenerator.render(.gitlab, request).contains("SLIPWAY_REGISTRY_USER"))
    }

    @Test func warnsWhenThePushRuleAlsoPushes() throws {
        var request = Fixture.guestbook
        request.ci = Fixture.ci(push: .always)
        #expect(Fixture.comments(try PipelineGenerator.render(.gitlab, request))
            .contains("[ci] push = true makes plain `slipway ci` push too"))
        request.ci = Fixture.ci(push: .branch("release/*"))
        #expect(Fixture.comments(try PipelineGenerator.render(.gitlab, request))
            .contains("[ci] push = \"release/*\" also makes plain `slipway ci` push"))
        request.ci = Fixture.ci(push: .never)
        #expect(!Fixture.comments(try PipelineGenerator.render(.gitlab, request)).contains("[ci] push ="))
    }
}
