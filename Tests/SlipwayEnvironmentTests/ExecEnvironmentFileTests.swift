import Foundation
import SlipwayNix
import Testing
@testable import SlipwayEnvironment

/// The compact cache a warm `slipway exec` reads instead of the JSON one.
@Suite("Exec environment file")
struct ExecEnvironmentFileTests {
    func sample() -> CachedEnvironment {
        var cached = CachedEnvironment(
            key: "k1", profile: "dev", root: "/work/app", binPaths: ["/nix/store/a-php/bin", "/nix/store/b-redis/bin"],
            env: [.init(name: "A", value: "x=y ${HOME}"), .init(name: "EMPTY", value: ""), .init(name: "ML", value: "line1\nline2\t!")],
            requiredPaths: ["/nix/store/a-php", "/nix/store/b-redis"],
            build: ProfileBuild(profile: "dev", packages: [.init(key: "php", outputs: ["out": "/nix/store/a-php"])], closure: []),
            ports: ["db": 5432, "cache": 6379])
        cached.localInputs = ["/work/app/nix": "f1"]
        cached.projectSource = "src1"
        cached.pure = true
        cached.keepEnv = ["SSH_*", "EDITOR"]
        cached.envFiles = [".env", ".env.local"]
        cached.onEnter = "echo hi"
        cached.serviceEnv = [.init(name: "PGPORT", value: "$DB_PORT")]
        cached.keySignature = "1:2:3:4.5:6.7\u{1F}-\u{1F}dev"
        return cached
    }

    @Test func everyFieldButTheBuildRoundTrips() throws {
        let cached = sample()
        let bytes = try #require(ExecEnvironmentFile.render(cached))
        let parsed = try #require(ExecEnvironmentFile.parse(bytes))
        #expect(parsed.formatVersion == cached.formatVersion && parsed.key == "k1" && parsed.profile == "dev" && parsed.root == "/work/app")
        #expect(parsed.binPaths == cached.binPaths && parsed.requiredPaths == cached.requiredPaths)
        #expect(parsed.env == cached.env, "order and empty values kept")
        #expect(parsed.ports == cached.ports && parsed.localInputs == cached.localInputs && parsed.projectSource == "src1")
        #expect(parsed.pure && parsed.keepEnv == cached.keepEnv && parsed.envFiles == cached.envFiles && parsed.onEnter == "echo hi")
        #expect(parsed.build.packages.isEmpty, "the build is not in the compact file")
        // Every other field, including ones added later: the JSON of both is the same once the build is.
        var withBuild = parsed
        withBuild.build = cached.build
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(withBuild) == encoder.encode(cached), "a CachedEnvironment field the compact file does not carry")
        var plain = sample()
        plain.projectSource = nil
        plain.onEnter = nil
        plain.pure = false
        plain.binPaths = []
        let plainBytes = try #require(ExecEnvironmentFile.render(plain))
        let again = try #require(ExecEnvironmentFile.parse(plainBytes))
        #expect(again.projectSource == nil && again.onEnter == nil && !again.pure && again.binPaths.isEmpty)
    }

    @Test func aValueWithASeparatorIsNotWrittenAndBrokenFilesAreRefused() throws {
        var cached = sample()
        cached.env.append(.init(name: "ODD", value: "a\u{1}b"))
        #expect(ExecEnvironmentFile.render(cached) == nil)
        let good = try #require(ExecEnvironmentFile.render(sample()))
        #expect(ExecEnvironmentFile.parse(Array(good.prefix(20))) == nil, "a cut file misses records")
        #expect(ExecEnvironmentFile.parse(Array("x\u{1}1\u{0}".utf8) + good) == nil, "an unknown tag")
        #expect(ExecEnvironmentFile.parse(Array("t\u{1}db\u{1}many\u{0}".utf8) + good) == nil, "a port that is no number")
        #expect(ExecEnvironmentFile.parse([]) == nil)
    }
}
