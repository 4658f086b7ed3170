import Foundation
import Testing

/// Issue 14 item 3: a package or artifact whose Nix build fails is reported at its manifest
/// line, with Nix's own last error lines and without Nix's lock-file chatter.
@Suite("Failing builds are located", .tags(.integration))
struct BuildFailureIntegrationTests {
    @Test func aPackageWhoseBuilderFailsIsReportedAtItsLine() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"

            [packages]
            shell = "busybox"
            python = { nix = "runCommand \\"python\\" {} \\"echo python build is broken >&2; exit 3\\"" }
            """)
        let result = try slipway(["exec", "--", "true"], in: dir)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("slipway.toml:6:1: error: package 'python' failed to build"), "\(result.stderr)")
        #expect(!result.stderr.contains("package 'shell'"), "only the failing package: \(result.stderr)")
        #expect(result.stderr.contains("python build is broken"), "Nix's last log lines: \(result.stderr)")
        #expect(result.stderr.contains("error: builder for '/nix/store/"), "\(result.stderr)")
        for chatter in ["• Added input", "• Removed input", "warning: creating lock file", "nix build --json"] {
            #expect(!result.stderr.contains(chatter), "'\(chatter)' in: \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/cache/env-dev.json"))
    }

    @Test func aPackageSetThatCannotBeReadIsReportedAtTheNixpkgsLine() throws {
        // An example copied out of the repository: its relative nixpkgs path points nowhere.
        let dir = try project("""
            [project]
            name = "copied"
            [nix]
            nixpkgs = "../../nix/offline-that-is-not-here"
            [packages]
            shell = "busybox"
            """)
        let result = try slipway(["exec", "--", "true"], in: dir)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("slipway.toml:4:11: error: the package set path:"), "\(result.stderr)")
        #expect(result.stderr.contains("offline-that-is-not-here"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: a relative nixpkgs path is read from the manifest's folder"), "\(result.stderr)")
        #expect(!result.stderr.contains("nix build --json"), "no raw Nix command line: \(result.stderr)")
    }

    @Test func anArtifactWhoseBuilderFailsIsReportedAtItsLine() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"

            [packages]
            shell = "busybox"

            [artifacts.site]
            nix = "runCommand \\"site\\" {} \\"echo site build is broken >&2; exit 2\\""
            """)
        let result = try slipway(["build", "site"], in: dir)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("slipway.toml:7:12: error: package 'artifact:site' failed to build"), "\(result.stderr)")
        #expect(result.stderr.contains("site build is broken"), "\(result.stderr)")
        for chatter in ["• Added input", "warning: creating lock file"] {
            #expect(!result.stderr.contains(chatter), "'\(chatter)' in: \(result.stderr)")
        }
    }
}
