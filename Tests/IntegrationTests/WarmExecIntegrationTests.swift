import Foundation
import Testing

/// The warm start (issue 15 item 3): a plain `slipway exec -- CMD` with a valid cache reads the
/// compact `.slipway/cache/env-<profile>.exec` and execs, before any argument parsing and
/// without the JSON cache; anything else takes the usual path. Watched with strace.
@Suite("Warm exec", .tags(.integration), .serialized)
struct WarmExecIntegrationTests {
    static let manifest = """
        [project]
        name = "warm"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        [env]
        GREETING = "hello from ${SLIPWAY_PROFILE}"
        """

    /// The files `slipway ARGS` (and the command it becomes) opened (strace `-f -e trace=openat`).
    func opened(_ arguments: [String], in dir: String) throws -> (RunResult, [String]) {
        let trace = dir + "/strace.txt"
        let result = try run("/usr/bin/env", ["strace", "-f", "-qq", "-e", "trace=openat", "-o", trace, slipwayBinary] + arguments, in: dir)
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        return (result, lines)
    }

    @Test func aPlainExecReadsOnlyTheCompactCacheAndAChangedManifestRebuilds() throws {
        let dir = try project(Self.manifest)
        let cold = try slipway(["exec", "--", "sh", "-c", "echo $GREETING"], in: dir)
        try #require(cold.status == 0, "\(cold.stderr)")
        #expect(cold.stdout == "hello from dev\n")
        #expect(FileManager.default.fileExists(atPath: dir + "/.slipway/cache/env-dev.exec"))

        let (warm, files) = try opened(["exec", "--", "sh", "-c", "echo $GREETING"], in: dir)
        #expect(warm.status == 0 && warm.stdout == "hello from dev\n", "\(warm.stderr)")
        #expect(files.contains { $0.contains("env-dev.exec") }, "the compact cache is read")
        #expect(!files.contains { $0.contains("env-dev.json") }, "the JSON cache is not: \(files.filter { $0.contains(".slipway") })")
        let (bare, bareFiles) = try opened(["exec", "sh", "-c", "echo $GREETING"], in: dir)
        #expect(bare.stdout == "hello from dev\n" && !bareFiles.contains { $0.contains("env-dev.json") }, "exec CMD without --")

        // An option takes the parsed path (and still works); a broken compact file falls back to JSON.
        let (withOption, optionFiles) = try opened(["exec", "-e", "GREETING=hi", "--", "sh", "-c", "echo $GREETING"], in: dir)
        #expect(withOption.stdout == "hi\n", "\(withOption.stderr)")
        #expect(optionFiles.contains { $0.contains("env-dev.exec") }, "exec never needs the build: the compact cache serves it too")
        try "garbage".write(toFile: dir + "/.slipway/cache/env-dev.exec", atomically: true, encoding: .utf8)
        let (fallback, fallbackFiles) = try opened(["exec", "--", "sh", "-c", "echo $GREETING"], in: dir)
        #expect(fallback.stdout == "hello from dev\n", "\(fallback.stderr)")
        #expect(fallbackFiles.contains { $0.contains("env-dev.json") })

        // A manifest change makes the cache stale: the usual path builds again and rewrites both files.
        try (Self.manifest.replacingOccurrences(of: "@OFFLINE@", with: repositoryRoot + "/nix/offline")
             + "\n[profiles.dev.env]\nGREETING = \"changed\"\n").write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
        let changed = try slipway(["exec", "--", "sh", "-c", "echo $GREETING"], in: dir)
        #expect(changed.stdout == "changed\n", "\(changed.stderr)")
        let compact = try String(contentsOfFile: dir + "/.slipway/cache/env-dev.exec", encoding: .utf8)
        #expect(compact.contains("changed"), "the compact cache was written again")
    }
}
