import Testing
@testable import SlipwayManifest

@Suite("Profile merge")
struct ProfileMergeTests {
    static let manifest = """
        [project]
        name = "guestbook"

        [nix]
        nixpkgs = "../../nix/offline"

        [packages]
        php = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.apcu ]; }" }
        composer = "php82Packages.composer"
        postgres = "postgresql_15"

        [env]
        APP_ENV = "base"
        DATABASE_URL = "postgresql://127.0.0.1/$APP_ENV"

        [profiles.dev.packages]
        php = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.xdebug ]; }" }
        phpunit = "phpunit"

        [profiles.dev.env]
        APP_ENV = "dev"
        XDEBUG_MODE = "debug"

        [profiles.prod.packages]
        composer = false

        [profiles.prod.env]
        APP_ENV = "prod"

        [profiles.staging]
        extends = "prod"

        [profiles.staging.env]
        APP_ENV = "staging"

        [profiles.ci.env]
        CI = true
        """

    func resolve(_ profile: String) throws -> ResolvedProfile {
        try ManifestLoader.parse(Self.manifest, file: "slipway.toml", root: "/work/examples/guestbook")
            .resolve(profile: profile)
    }

    @Test func devOverridesAndAdds() throws {
        let dev = try resolve("dev")
        #expect(dev.packages.map(\.key) == ["php", "composer", "postgres", "phpunit"])
        guard case .expression(let php) = dev.packages[0].spec else { Issue.record("php"); return }
        #expect(php.contains("xdebug"))
        #expect(dev.env.map(\.name) == ["APP_ENV", "DATABASE_URL", "XDEBUG_MODE"])
        #expect(dev.env[0].value == "dev")
        #expect(dev.chain == ["dev"])
    }

    @Test func ciExtendsDevByDefault() throws {
        let ci = try resolve("ci")
        #expect(ci.chain == ["dev", "ci"])
        #expect(ci.packages.map(\.key).contains("phpunit"))
        #expect(ci.env.first { $0.name == "CI" }?.value == "true")
        #expect(ci.env.first { $0.name == "APP_ENV" }?.value == "dev")
    }

    @Test func prodExtendsOnlyTheBase() throws {
        let prod = try resolve("prod")
        #expect(prod.chain == ["prod"])
        #expect(prod.packages.map(\.key) == ["php", "postgres"])
        guard case .expression(let php) = prod.packages[0].spec else { Issue.record("php"); return }
        #expect(!php.contains("xdebug"))
        #expect(!prod.env.contains { $0.name == "XDEBUG_MODE" })
    }

    @Test func customProfileExtendsProd() throws {
        let staging = try resolve("staging")
        #expect(staging.chain == ["prod", "staging"])
        #expect(staging.packages.map(\.key) == ["php", "postgres"])
        #expect(staging.env.first { $0.name == "APP_ENV" }?.value == "staging")
    }

    @Test func unknownProfileIsAnError() throws {
        let error = #expect(throws: ManifestError.self) { try resolve("prdo") }
        #expect(error?.hint == "did you mean 'prod'?")
    }

    @Test func relativeNixpkgsIsResolvedAgainstTheManifestFolder() throws {
        let manifest = try ManifestLoader.parse(Self.manifest, file: "slipway.toml", root: "/work/examples/guestbook")
        #expect(manifest.nix.nixpkgs == "path:/work/nix/offline")
    }

    @Test(arguments: [
        ("github:NixOS/nixpkgs/nixos-25.05", "github:NixOS/nixpkgs/nixos-25.05"),
        ("./nix", "path:/p/nix"),
        ("../x/y", "path:/x/y"),
        ("path:./a?dir=b", "path:/p/a?dir=b"),
        ("path:/abs", "path:/abs"),
        ("/abs/./z/..", "path:/abs"),
        ("nixpkgs", "nixpkgs"),
    ])
    func flakeRefs(_ input: String, _ expected: String) {
        #expect(FlakeRefs.resolve(input, root: "/p") == expected)
    }

    @Test func flakePackageRefIsSplitAndResolved() throws {
        let manifest = try ManifestLoader.parse("""
            [packages]
            tool = { flake = "../tools#cli.default" }
            """, file: "slipway.toml", root: "/p/app")
        #expect(manifest.base.packages.first?.spec == .flake(ref: "path:/p/tools", attribute: "cli.default"))
    }

    @Test func laterSectionsMergeByKey() throws {
        let manifest = try ManifestLoader.parse("""
            [services.db]
            command = "postgres"
            [services.web]
            command = "php -S"
            [profiles.dev.services.web]
            command = "php -S -d xdebug"
            """, file: "slipway.toml", root: "/p")
        let dev = try manifest.resolve(profile: "dev")
        #expect(dev.sections["services"]?.map(\.key) == ["db", "web"])
        #expect(dev.sections["services"]?.last?.node["command"]?.string == "php -S -d xdebug")
    }
}
