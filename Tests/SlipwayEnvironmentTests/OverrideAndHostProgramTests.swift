import Foundation
import Testing
@testable import SlipwayEnvironment
import SlipwayNix

/// Issue 14 item 6: `-e NAME=VALUE` winning over the profile, and the host-program warning
/// only for programs from outside the profile, the project and the POSIX basics.
@Suite("Caller overrides and host programs")
struct OverrideAndHostProgramTests {
    func cached(root: String = "/p", env: [CachedEnvironment.Entry] = [], pure: Bool = false) -> CachedEnvironment {
        var cached = CachedEnvironment(
            key: "k", profile: "dev", root: root, binPaths: ["/nix/store/a-php/bin"],
            env: env, requiredPaths: [], build: ProfileBuild(profile: "dev", packages: [], closure: []))
        cached.pure = pure
        return cached
    }

    @Test(arguments: [
        ("A=1", EnvironmentOverride(name: "A", value: "1")),
        ("URL=postgres://x?a=b", EnvironmentOverride(name: "URL", value: "postgres://x?a=b")),
        ("EMPTY=", EnvironmentOverride(name: "EMPTY", value: "")),
        ("FROM_CALLER", EnvironmentOverride(name: "FROM_CALLER", value: "caller's value")),
        ("_x9=$HOME", EnvironmentOverride(name: "_x9", value: "$HOME")),
    ])
    func parsesOverrides(_ word: String, _ expected: EnvironmentOverride) throws {
        #expect(try EnvironmentOverride(parsing: word, inherited: ["FROM_CALLER": "caller's value"]) == expected)
    }

    @Test(arguments: [
        ("=1", EnvironmentOverride.ParseError.invalidName("=1")),
        ("9A=1", .invalidName("9A=1")),
        ("A-B=1", .invalidName("A-B=1")),
        ("", .invalidName("")),
        ("UNSET_HERE", .unset("UNSET_HERE")),
    ])
    func refusesBadOverrides(_ word: String, _ expected: EnvironmentOverride.ParseError) {
        #expect(throws: expected) { try EnvironmentOverride(parsing: word, inherited: [:]) }
    }

    @Test func theCallersValueWinsAndOtherEntriesExpandWithIt() throws {
        let profile = cached(env: [
            .init(name: "APP_ENV", value: "dev"),
            .init(name: "DB_HOST", value: "127.0.0.1"),
            .init(name: "URL", value: "postgresql://$DB_HOST/$APP_ENV"),
        ])
        let plain = try ProcessEnvironment.make(profile, inherited: ["APP_ENV": "caller"])
        #expect(plain["APP_ENV"] == "dev", "without -e the profile's [env] wins, as before")
        let env = try ProcessEnvironment.make(
            profile, inherited: ["APP_ENV": "caller"], overrides: [.init(name: "DB_HOST", value: "db.example")])
        #expect(env["DB_HOST"] == "db.example")
        #expect(env["URL"] == "postgresql://db.example/dev")
        #expect(env["APP_ENV"] == "dev")
    }

    @Test func theCallersValueWinsOverADotenvFile() throws {
        let root = NSTemporaryDirectory() + "slipway-override-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "SECRET=from-file\nOTHER=$SECRET-more\n".write(toFile: root + "/.env", atomically: true, encoding: .utf8)
        var profile = cached(root: root)
        profile.envFiles = [".env"]
        let env = try ProcessEnvironment.make(profile, inherited: [:], overrides: [.init(name: "SECRET", value: "mine")])
        #expect(env["SECRET"] == "mine")
        #expect(env["OTHER"] == "mine-more", "later entries expand with the caller's value")
        #expect(try ProcessEnvironment.make(profile, inherited: [:])["SECRET"] == "from-file")
    }

    /// A folder with executables `names` (empty scripts).
    func bin(_ dir: String, _ names: [String]) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in names {
            try "#!/bin/sh\n".write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            chmod(dir + "/" + name, 0o755)
        }
        return dir
    }

    @Test func onlyProgramsFromOutsideTheProfileTheProjectAndTheBasicsWarn() throws {
        let base = NSTemporaryDirectory() + "slipway-hostprog-" + UUID().uuidString.prefix(8)
        let host = try bin(base + "/host/bin", ["node", "ln", "find"])
        let project = base + "/project"
        let tooling = try bin(project + "/tooling/bin", ["setup-db"])
        let scripts = [("a", "ln -sf x y"), ("b", "find . -name '*.py'"), ("c", "setup-db --fresh"),
                       ("d", "tooling/bin/setup-db"), ("e", "node build.js")].map {
            ProfilePrograms.Script(kind: "task", name: $0.0, text: $0.1)
        }
        let path = "/nix/store/a-php/bin:" + tooling + ":" + host
        let warnings = try ProfilePrograms.check(
            scripts, environment: ["PATH": path], cached: cached(root: project), callerPath: host)
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.contains("task 'e' runs `node` from this machine (\(host)/node)") == true)
        // Pure: basics from the host are still missing from the profile (they would not be found).
        #expect(throws: ProfilePrograms.OutsideProfile.self) {
            try ProfilePrograms.check(Array(scripts.prefix(1)), environment: ["PATH": "/nix/store/a-php/bin"],
                                      cached: cached(root: project, pure: true), callerPath: host)
        }
        let pureProject = try ProfilePrograms.check(
            [scripts[2]], environment: ["PATH": "/nix/store/a-php/bin:" + tooling],
            cached: cached(root: project, pure: true), callerPath: host)
        #expect(pureProject.isEmpty, "a program in the project is in every checkout")
    }
}
