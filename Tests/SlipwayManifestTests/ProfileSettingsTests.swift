import Testing
@testable import SlipwayManifest

@Suite("Profile-wide settings")
struct ProfileSettingsTests {
    static let manifest = """
        env_files = [".env"]
        before_up = ["certs"]

        [project]
        name = "settings"

        [shell]
        on_enter = "echo hi"

        [services.db]
        command = "postgres"
        [services.cache]
        command = "redis-server"
        [services.web]
        command = "php -S x"

        [tasks.certs]
        run = "mkcert -install"

        [profiles.dev]
        keep_env = ["EDITOR"]

        [profiles.staging]
        extends = "prod"
        services = ["db"]

        [profiles.quiet]
        services = false
        pure = true

        [profiles.local]
        extends = "dev"

        [profiles.ci.env]
        files = [".env", ".env.ci"]
        """

    func resolve(_ profile: String) throws -> ResolvedProfile {
        try ManifestLoader.parse(Self.manifest, file: "slipway.toml", root: "/p").resolve(profile: profile)
    }

    @Test("pure by default for prod and ci, impure for dev", arguments: [
        ("dev", false), ("ci", true), ("prod", true), ("staging", true), ("quiet", true), ("local", false),
    ])
    func purity(_ profile: String, _ pure: Bool) throws {
        #expect(try resolve(profile).pure == pure)
    }

    @Test func servicesSwitch() throws {
        #expect(try resolve("dev").services.get().map(\.name) == ["db", "cache", "web"])
        #expect(try resolve("staging").services.get().map(\.name) == ["db"])
        #expect(try resolve("quiet").services.get().isEmpty)
    }

    @Test func filesHooksAndKeptVariables() throws {
        #expect(try resolve("dev").settings.envFiles == [".env"])
        #expect(try resolve("ci").settings.envFiles == [".env", ".env.ci"])
        #expect(try resolve("ci").settings.keepEnv == ["EDITOR"])
        #expect(try resolve("prod").settings.onEnter == "echo hi")
        #expect(try resolve("prod").settings.beforeUp == ["certs"])
    }

    @Test func unknownServiceInTheListIsReported() throws {
        let text = """
            [services.db]
            command = "postgres"
            [profiles.prod]
            services = ["dv"]
            """
        #expect {
            try ManifestLoader.parse(text, file: "slipway.toml", root: "/p")
        } throws: { error in
            "\(error)".contains("slipway.toml:4:12") && "\(error)".contains("did you mean 'db'")
        }
    }

    @Test func badValuesAreDiagnosed() {
        let text = """
            [profiles.prod]
            pure = "yes"
            keep_env = ["*"]
            [shell]
            on_entr = "x"
            """
        #expect {
            try ManifestLoader.parse(text, file: "slipway.toml", root: "/p")
        } throws: { error in
            let text = "\(error)"
            return text.contains("slipway.toml:2:8") && text.contains("slipway.toml:3:13")
                && text.contains("did you mean 'on_enter'")
        }
    }
}
