import Foundation
import Testing

/// What a user sees when the manifest or the machine is wrong.
@Suite("Errors", .tags(.integration))
struct ErrorIntegrationTests {
    @Test func typoWrongTypeAndBadExtendsAreAllReported() throws {
        let dir = try project("""
            [project]
            name = "broken"

            [nix]
            nixpkgs = "@OFFLINE@"

            [pakages]
            php = "php82"

            [env]
            PORT = [8080]

            [profiles.staging]
            extends = "prdo"
            """)
        let result = try slipway(["exec", "--", "true"], in: dir)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.contains("slipway.toml:7:2: error: unknown key 'pakages'"))
        #expect(lines.contains("  hint: did you mean 'packages'?"))
        #expect(lines.contains("slipway.toml:11:8: error: 'env.PORT' must be a string, number or boolean, found an array"))
        #expect(lines.contains("slipway.toml:14:11: error: profile 'staging' extends unknown profile 'prdo'"))
        #expect(lines.contains("3 errors in manifest"))
        // Nothing is written for an invalid manifest.
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/slipway.lock"))
    }

    @Test func aVerboseFlagAfterTheCommandSaysWhereItGoes() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"
            """)
        let result = try slipway(["ci", "--push", "-v"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("slipway: -v goes before the command: slipway -v ci --push"), "\(result.stderr)")
        #expect(result.stderr.contains("Unknown option '-v'"), "\(result.stderr)")
        // After `--` it is the program's, not Slipway's: no hint.
        let exec = try slipway(["exec", "--", "/bin/sh", "-c", "exit 3", "-v"], in: dir)
        #expect(!exec.stderr.contains("goes before the command"), "\(exec.stderr)")
    }

    @Test func missingAttributeNamesThePackageAndItsLine() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"

            [packages]
            shell = "busybox"
            php = "php99"
            """)
        let result = try slipway(["exec", "--", "true"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("slipway.toml:6:1: error: package 'php': the package set has no attribute 'php99'"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/cache/env-dev.json"))
    }

    @Test func brokenExpressionNamesThePackage() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"

            [packages]
            shell = "busybox"
            php = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.nosuchext ]; }" }
            """)
        let result = try slipway(["exec", "--", "true"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("slipway.toml:6:1: error: package 'php' failed to build"), "\(result.stderr)")
        #expect(result.stderr.contains("nosuchext"))
    }

    @Test func missingNixSaysHowToInstallIt() throws {
        let dir = try project("""
            [packages]
            shell = "busybox"
            """)
        let result = try slipway(["exec", "--", "true"], in: dir, environment: ["PATH": "/nonexistent", "SLIPWAY_NIX": nil])
        #expect(result.status != 0)
        #expect(result.stderr.contains("error: nix is not installed"))
        #expect(result.stderr.contains("apt-get install nix-bin"))
    }

    @Test func unknownProfileOnTheCommandLine() throws {
        let dir = try project("""
            [packages]
            shell = "busybox"
            """)
        let result = try slipway(["exec", "--profile", "prdo", "--", "true"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("error: unknown profile 'prdo'"))
        #expect(result.stderr.contains("did you mean 'prod'?"))
    }

    @Test func noManifestSaysToRunInit() throws {
        let dir = try temporaryDirectory()
        let result = try slipway(["exec", "--", "true"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("slipway init"))
    }
}

/// `init` and `doctor`.
@Suite("Project commands", .tags(.integration))
struct ProjectCommandTests {
    @Test func initWritesAStarterThatWorks() throws {
        let dir = try temporaryDirectory()
        try "node_modules/\n".write(toFile: dir + "/.gitignore", atomically: true, encoding: .utf8)
        let result = try slipway(["init", "--name", "demo", "--nixpkgs", repositoryRoot + "/nix/offline"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let gitignore = try String(contentsOfFile: dir + "/.gitignore", encoding: .utf8)
        #expect(gitignore == "node_modules/\n.slipway/\nresult-*\n")
        let manifest = try String(contentsOfFile: dir + "/slipway.toml", encoding: .utf8)
        #expect(manifest.contains("name = \"demo\""))
        let env = try slipway(["env", "--format", "json"], in: dir)
        #expect(env.status == 0, "\(env.stderr)")
        let again = try slipway(["init"], in: dir)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
        _ = try slipway(["init", "--force"], in: dir)
        #expect(try String(contentsOfFile: dir + "/.gitignore", encoding: .utf8) == "node_modules/\n.slipway/\nresult-*\n")
    }

    @Test func doctorReportsNix() throws {
        let dir = try temporaryDirectory()
        let result = try slipway(["doctor", "--json"], in: dir)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let checks = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let names = checks.compactMap { $0["name"] as? String }
        #expect(names == ["nix", "nix version", "nix store", "flakes", "podman"])
        let version = checks.first { $0["name"] as? String == "nix version" }
        #expect((version?["detail"] as? String)?.contains("nix (Nix) 2.") == true)

        let missing = try slipway(["doctor"], in: dir, environment: ["PATH": "/nonexistent"])
        #expect(missing.status != 0)
        #expect(missing.stdout.contains("FAIL nix: not found on PATH"))
        #expect(missing.stdout.contains("fix: apt-get install nix-bin"))
    }
}
