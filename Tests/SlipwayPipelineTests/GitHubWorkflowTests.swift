import SlipwayPipeline
import Testing
import Yams

/// The GitHub Actions workflow read back with Yams: the structure Actions acts on.
@Suite struct GitHubWorkflowTests {
    static let defaultBranchPush =
        "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"

    /// `on` is a YAML 1.1 boolean to some readers; find the key whatever it resolved to.
    static func triggers(_ root: Node) -> [String] {
        let pair = root.mapping?.first { $0.key.string == "on" }
        return Fixture.strings(pair?.value)
    }

    static func steps(_ root: Node) throws -> [Node] {
        try #require(root["jobs"]?["ci"]?["steps"]?.sequence).map { $0 }
    }

    static func step(_ steps: [Node], named name: String) throws -> Node {
        try #require(steps.first { $0["name"]?.string == name }, "no step \(name)")
    }

    @Test func guestbookWorkflow() throws {
        let (_, root) = try Fixture.render(.github, Fixture.guestbook)
        #expect(root["name"]?.string == "guestbook (slipway ci)")
        #expect(Self.triggers(root) == ["push", "pull_request"])
        #expect(root["permissions"]?["contents"]?.string == "read")
        #expect(root["permissions"]?["packages"]?.string == "write")
        #expect(root["env"]?["SLIPWAY_SHA256"]?.string == SlipwayPin.unhashed.binarySHA256)
        #expect(root["env"]?["SLIPWAY_FLAKE"]?.string == "")

        let steps = try Self.steps(root)
        let uses = steps.compactMap { $0["uses"]?.string }
        #expect(uses.allSatisfy { $0.range(of: #"^[\w-]+/[\w-]+@v\d+$"#, options: .regularExpression) != nil })
        let nix = try #require(steps.first { $0["uses"]?.string?.hasPrefix("cachix/install-nix-action@") == true })
        #expect(nix["with"]?["extra_nix_config"]?.string?.contains("experimental-features = nix-command flakes") == true)

        let cache = try Self.step(steps, named: "Cache Slipway")
        #expect(cache["uses"]?.string?.hasPrefix("actions/cache@") == true)
        let paths = cache["with"]?["path"]?.string?.split(separator: "\n").map(String.init)
        #expect(paths == ["examples/guestbook/.slipway/cache", "examples/guestbook/.slipway/nix-cache", "examples/guestbook/.slipway/registry", "~/.cache/slipway"])
        let export = try Self.step(steps, named: "Export the Nix store paths")
        #expect(export["run"]?.string == "slipway cache export \"$SLIPWAY_NIX_CACHE\"" && export["working-directory"]?.string == "examples/guestbook")
        #expect(cache["with"]?["key"]?.string?.hasSuffix("${{ hashFiles('examples/guestbook/slipway.lock') }}") == true)

        let install = try Self.step(steps, named: "Install Slipway")
        #expect(install["run"]?.string?.contains("sha256sum -c -") == true)
        #expect(install["run"]?.string?.contains("$GITHUB_PATH") == true)

        let upload = try Self.step(steps, named: "Upload JUnit reports")
        #expect(upload["uses"]?.string?.hasPrefix("actions/upload-artifact@") == true)
        #expect(upload["if"]?.string == "always()")
        #expect(upload["with"]?["path"]?.string == "examples/guestbook/.slipway/ci/**/*.xml")
    }

    /// `--push` and the registry token only in the step guarded by "a push to the default branch".
    @Test func pushesOnlyFromTheDefaultBranch() throws {
        let (_, root) = try Fixture.render(.github, Fixture.guestbook)
        let steps = try Self.steps(root)
        let runs = steps.filter { $0["run"]?.string?.hasPrefix("slipway ci") == true }
        #expect(runs.count == 2)
        for step in runs { #expect(step["working-directory"]?.string == "examples/guestbook") }

        let push = try Self.step(steps, named: "slipway ci --push")
        #expect(push["if"]?.string == Self.defaultBranchPush)
        #expect(push["run"]?.string == "slipway ci --push")
        #expect(push["env"]?["SLIPWAY_REGISTRY_USER"]?.string == "${{ github.actor }}")
        #expect(push["env"]?["SLIPWAY_REGISTRY_PASSWORD"]?.string == "${{ secrets.GITHUB_TOKEN }}")

        let plain = try Self.step(steps, named: "slipway ci")
        #expect(plain["run"]?.string == "slipway ci")
        #expect(plain["env"] == nil)
        #expect(plain["if"]?.string?.contains("github.event_name != 'push' ||") == true)

        let pushes = Fixture.scalars(root).filter { $0.value.contains("--push") }.map(\.path)
        #expect(pushes.allSatisfy { $0.hasPrefix(".jobs.ci.steps.5.") })
    }

    @Test func minimalProjectHasNoPushNoCredentials() throws {
        let (text, root) = try Fixture.render(.github, Fixture.minimal)
        #expect(Fixture.keys(root["permissions"]) == ["contents"])
        let steps = try Self.steps(root)
        let run = try Self.step(steps, named: "slipway ci")
        #expect(run["if"] == nil && run["env"] == nil && run["working-directory"] == nil)
        let cache = try Self.step(steps, named: "Cache Slipway")
        #expect(cache["with"]?["path"]?.string == ".slipway/cache\n.slipway/nix-cache\n")
        #expect(cache["with"]?["key"]?.string?.hasSuffix("${{ hashFiles('slipway.lock') }}") == true)
        #expect(!text.contains("--push") && !text.contains("SLIPWAY_REGISTRY"))
    }

    /// The GITHUB_TOKEN is for GHCR: another registry gets the repository's own secrets.
    @Test func otherRegistryUsesSecretsNotTheToken() throws {
        var request = Fixture.guestbook
        request.ci = Fixture.ci(registry: "registry.example.com/team")
        let (text, root) = try Fixture.render(.github, request)
        #expect(Fixture.keys(root["permissions"]) == ["contents"])
        let push = try Self.step(Self.steps(root), named: "slipway ci --push")
        #expect(push["env"]?["SLIPWAY_REGISTRY_USER"]?.string == "${{ secrets.SLIPWAY_REGISTRY_USER }}")
        #expect(push["env"]?["SLIPWAY_REGISTRY_PASSWORD"]?.string == "${{ secrets.SLIPWAY_REGISTRY_PASSWORD }}")
        #expect(!Fixture.scalars(root).contains { $0.path.contains(".env.") && $0.value.contains("GITHUB_TOKEN") })
        #expect(Fixture.comments(text).contains("not GHCR, so GITHUB_TOKEN is not sent there"))

        request.ci = Fixture.ci(registry: "GHCR.io/acme/apps")
        let (_, ghcr) = try Fixture.render(.github, request)
        #expect(ghcr["permissions"]?["packages"]?.string == "write")
    }

    /// With `[ci] push` set, plain `slipway ci` may push by itself, so it gets credentials too.
    @Test func pushRuleGivesThePlainStepCredentials() throws {
        var request = Fixture.guestbook
        request.ci = Fixture.ci(push: .branch("release/*"))
        let (text, root) = try Fixture.render(.github, request)
        let plain = try Self.step(Self.steps(root), named: "slipway ci")
        #expect(plain["env"]?["SLIPWAY_REGISTRY_PASSWORD"]?.string == "${{ secrets.GITHUB_TOKEN }}")
        #expect(Fixture.comments(text).contains("[ci] push = \"release/*\" also makes plain `slipway ci` push"))
    }
}
