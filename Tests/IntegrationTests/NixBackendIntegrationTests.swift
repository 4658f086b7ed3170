import Foundation
import Testing

/// The Nix backend: caching, lock file, GC roots, closures and errors, with real Nix.
@Suite("Nix backend with real Nix", .tags(.integration))
struct NixBackendIntegrationTests {
    static let manifest = """
        [project]
        name = "cache-test"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        shell = "busybox"
        php = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.pgsql ]; }" }
        [env]
        GREETING = "hello from $SLIPWAY_PROFILE"
        """

    /// Program names `execve`d while running `slipway ARGS` (through `strace -f`).
    func executedPrograms(_ arguments: [String], in dir: String) throws -> (RunResult, [String]) {
        let trace = dir + "/strace.out"
        let result = try run("/usr/bin/strace", ["-f", "-qq", "-e", "trace=execve", "-o", trace, slipwayBinary] + arguments, in: dir)
        let log = try String(contentsOfFile: trace, encoding: .utf8)
        let programs = log.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "execve(\""), let end = line[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(line[start.upperBound..<end])
        }
        return (result, programs)
    }

    @Test func warmExecStartsNoNixAndAnyChangeRebuilds() throws {
        let dir = try project(Self.manifest)
        let (cold, coldPrograms) = try executedPrograms(["exec", "--", "true"], in: dir)
        #expect(cold.status == 0, "\(cold.stderr)")
        #expect(coldPrograms.contains { $0.hasSuffix("/nix") }, "the cold start builds with nix")

        let (warm, warmPrograms) = try executedPrograms(["exec", "--", "true"], in: dir)
        #expect(warm.status == 0)
        #expect(!warmPrograms.contains { $0.hasSuffix("/nix") }, "warm exec ran: \(warmPrograms)")
        #expect(warmPrograms.count == 2, "only slipway and the command: \(warmPrograms)")

        let (warmEnv, envPrograms) = try executedPrograms(["env", "--format", "json"], in: dir)
        #expect(warmEnv.status == 0)
        #expect(!envPrograms.contains { $0.hasSuffix("/nix") })

        // Changing the manifest rebuilds, and the change shows.
        let changed = try String(contentsOfFile: dir + "/slipway.toml", encoding: .utf8)
            .replacingOccurrences(of: "hello from", with: "changed in")
        try changed.write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
        let (rebuilt, rebuiltPrograms) = try executedPrograms(["exec", "--", "sh", "-c", "echo $GREETING"], in: dir)
        #expect(rebuilt.stdout == "changed in dev\n")
        #expect(rebuiltPrograms.contains { $0.hasSuffix("/nix") })

        // Another profile has its own cache entry.
        let (otherProfile, otherPrograms) = try executedPrograms(["exec", "--profile", "prod", "--", "true"], in: dir)
        #expect(otherProfile.status == 0)
        #expect(otherPrograms.contains { $0.hasSuffix("/nix") })

        // Touching the lock file's contents rebuilds too.
        let lock = try String(contentsOfFile: dir + "/slipway.lock", encoding: .utf8)
        try (lock + "\n").write(toFile: dir + "/slipway.lock", atomically: true, encoding: .utf8)
        let (_, afterLock) = try executedPrograms(["exec", "--", "true"], in: dir)
        #expect(afterLock.contains { $0.hasSuffix("/nix") })
    }

    @Test func lockFileIsCreatedAndUpdateRepins() throws {
        let dir = try project(Self.manifest)
        #expect(!FileManager.default.fileExists(atPath: dir + "/slipway.lock"))
        #expect(try slipway(["exec", "--", "true"], in: dir).status == 0)
        let lock = try #require(FileManager.default.contents(atPath: dir + "/slipway.lock"))
        let object = try #require(try JSONSerialization.jsonObject(with: lock) as? [String: Any])
        #expect(object["version"] as? Int == 7)
        let update = try slipway(["update"], in: dir)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/slipway.lock"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/cache/env-dev.json"))
    }

    @Test func gcRootsKeepTheEnvironmentAlive() throws {
        let dir = try project(Self.manifest)
        let result = try slipway(["env", "--format", "json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let roots = try FileManager.default.contentsOfDirectory(atPath: dir + "/.slipway/gcroots/dev")
        #expect(roots.count == 2)
        let targets = try roots.map { try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/.slipway/gcroots/dev/" + $0) }
        let closure = try run("/usr/bin/env", ["nix-store", "-qR"] + targets, in: dir)
        #expect(closure.status == 0)
        let live = Set(closure.stdout.split(separator: "\n").map(String.init))
        #expect(live.count > 2)
        // Every path of the closure is reachable from a root: none would be collected.
        let dead = try run("/usr/bin/env", ["nix-store", "--gc", "--print-dead"], in: dir)
        #expect(dead.status == 0, "\(dead.stderr)")
        let deadPaths = Set(dead.stdout.split(separator: "\n").map(String.init))
        #expect(live.isDisjoint(with: deadPaths), "\(live.intersection(deadPaths))")
    }

    @Test func closureHasGlibcApartAndResolvesOnlyIntoTheStore() throws {
        let dir = try project(Self.manifest)
        let result = try slipway(["exec", "--", "sh", "-c", "command -v php"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let closure = try environmentClosure(dir, profile: "dev")
        #expect(closure.contains { $0.hasSuffix("-glibc") || $0.contains("-glibc-") }, "\(closure)")
        let php = try #require(closure.first { $0.contains("php") })
        let qR = try run("/usr/bin/env", ["nix-store", "-qR", php], in: dir)
        #expect(qR.stdout.split(separator: "\n").contains { $0.contains("-glibc") })
        let check = try checkClosure(closure, in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func editingALocalFlakeInputRebuilds() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            greeter = { flake = "./tools#greeter" }
            """)
        func writeTool(_ word: String) throws {
            try FileManager.default.createDirectory(atPath: dir + "/tools", withIntermediateDirectories: true)
            try """
                { outputs = { self }: { packages.x86_64-linux.greeter = derivation {
                    name = "greeter"; system = "x86_64-linux"; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
                    args = [ "-c" "mkdir -p $out/bin && printf '#!/bin/sh\\necho \(word)\\n' > $out/bin/greet && chmod +x $out/bin/greet" ];
                  }; }; }
                """.write(toFile: dir + "/tools/flake.nix", atomically: true, encoding: .utf8)
        }
        try writeTool("hello")
        let first = try slipway(["exec", "--", "greet"], in: dir)
        #expect(first.stdout == "hello\n", "\(first.stderr)")
        try writeTool("bonjour")
        let second = try slipway(["exec", "--", "greet"], in: dir)
        #expect(second.stdout == "bonjour\n", "\(second.stderr)")
    }
}

/// What changes between Nix versions, run under each Nix the tests run with (Debian 12's 2.8,
/// and Debian 13's 2.26 through scripts/nix-second; docs/compatibility.md).
@Suite("Nix versions", .tags(.integration))
struct NixVersionIntegrationTests {
    /// Slipway runs the `nix` first on `PATH`; under scripts/nix-second (which sets
    /// `SLIPWAY_TEST_NIX_VERSION`) that is the second Nix, so a wrapper that did not take fails here.
    @Test func slipwayRunsTheNixOnPath() throws {
        let dir = try temporaryDirectory()
        let doctor = try slipway(["doctor", "--json"], in: dir)
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        let checks = try #require(try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [[String: Any]])
        func detail(_ name: String) -> String? { checks.first { $0["name"] as? String == name }?["detail"] as? String }
        let onPath = try run("/bin/sh", ["-c", "command -v nix; nix --version"], in: dir).stdout
            .split(separator: "\n").map(String.init)
        #expect([detail("nix"), detail("nix version")] == onPath.map(Optional.some))
        if let expected = ProcessInfo.processInfo.environment["SLIPWAY_TEST_NIX_VERSION"] {
            #expect(detail("nix version")?.hasPrefix("nix (Nix) \(expected).") == true, "\(checks)")
        }
    }

    /// A tarball input pinned by any Nix reads with every Nix: Nix 2.26 writes `lastModified`
    /// into a tarball's pin, which Nix 2.8 rejects; slipway.lock never keeps it, and a lock that
    /// has it (written by another Nix) still builds.
    @Test func tarballPinsReadWithEveryNix() throws {
        let dir = try temporaryDirectory()
        let tar = try run("/bin/tar", ["-czf", dir + "/offline.tar.gz", "-C", repositoryRoot + "/nix", "offline"], in: dir)
        try #require(tar.status == 0, "\(tar.stderr)")
        try """
            [project]
            name = "tarball-pin"
            [nix]
            nixpkgs = "file://\(dir)/offline.tar.gz"
            [packages]
            shell = "busybox"
            """.write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
        let first = try slipway(["exec", "--", "true"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        func pin() throws -> [String: Any] {
            let lock = try #require(FileManager.default.contents(atPath: dir + "/slipway.lock"))
            let object = try #require(try JSONSerialization.jsonObject(with: lock) as? [String: Any])
            let nodes = try #require(object["nodes"] as? [String: Any])
            return try #require((nodes["nixpkgs"] as? [String: Any])?["locked"] as? [String: Any])
        }
        var locked = try pin()
        #expect(Set(locked.keys) == ["narHash", "type", "url"], "\(locked)")
        #expect(locked["type"] as? String == "tarball")
        // The pin as Nix 2.26 writes it, then a cold build from it.
        locked["lastModified"] = 1796233358
        let lock: [String: Any] = ["nodes": ["nixpkgs": ["locked": locked, "original": ["type": "tarball", "url": "file://\(dir)/offline.tar.gz"]],
                                             "root": ["inputs": ["nixpkgs": "nixpkgs"]]], "root": "root", "version": 7]
        try JSONSerialization.data(withJSONObject: lock).write(to: URL(fileURLWithPath: dir + "/slipway.lock"))
        try FileManager.default.removeItem(atPath: dir + "/.slipway")
        let again = try slipway(["exec", "--", "true"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try pin()["lastModified"] == nil)
        #expect(try pin()["narHash"] as? String == locked["narHash"] as? String)
    }
}

/// `[nix] substituters`: every Nix call reads the manifest's binary caches. A package is built,
/// copied to a `file://` cache with `nix copy`, deleted from the store, and built again in a new
/// project whose manifest names the cache: Nix substitutes it (the path comes back without
/// `ultimate`, which marks a path built on this machine) instead of building it; the same
/// project without the substituter builds it (`ultimate` again).
@Suite("Nix substituters from the manifest", .tags(.integration), .serialized)
struct NixSubstituterIntegrationTests {
    static let nix = ["--extra-experimental-features", "nix-command flakes"]

    func manifest(_ name: String, substituter: String?) -> String {
        """
        [nix]
        nixpkgs = "@OFFLINE@"
        \(substituter.map { "substituters = [\"\($0)\"]" } ?? "")
        [packages]
        marker = { nix = "pkgs.runCommand \\"\(name)\\" { } \\"mkdir -p $out/bin; echo '#!/bin/sh' > $out/bin/\(name); echo echo substituted-or-built >> $out/bin/\(name); chmod +x $out/bin/\(name)\\"" }
        """
    }

    /// The store path of `name`'s package in the dev closure of `dir`.
    func markerPath(_ dir: String, _ name: String) throws -> String {
        try #require(try environmentClosure(dir, profile: "dev").first { $0.hasSuffix("-" + name) })
    }

    /// Whether `path` carries `"ultimate": true` (built here, not substituted), any path-info shape.
    func builtHere(_ path: String, in dir: String) throws -> Bool {
        let info = try run("/usr/bin/env", ["nix"] + Self.nix + ["path-info", "--json", path], in: dir)
        try #require(info.status == 0, "\(info.stderr)")
        return info.stdout.contains("\"ultimate\":true")
    }

    func deleteFromStore(_ path: String, projects: [String]) throws {
        for dir in projects { try? FileManager.default.removeItem(atPath: dir) }
        let deleted = try run("/usr/bin/env", ["nix"] + Self.nix + ["store", "delete", path], in: NSTemporaryDirectory())
        try #require(deleted.status == 0, "\(deleted.stderr)")
    }

    @Test func aManifestSubstituterIsUsedInsteadOfBuilding() throws {
        let name = "slipway-subst-" + UUID().uuidString.prefix(8).lowercased()
        let first = try project(manifest(name, substituter: nil))
        try #require(try slipway(["exec", "--", "true"], in: first).status == 0)
        let path = try markerPath(first, name)
        #expect(try builtHere(path, in: first))
        let cache = try temporaryDirectory()
        let copied = try run("/usr/bin/env", ["nix"] + Self.nix + ["copy", "--to", "file://\(cache)?compression=none", path], in: first)
        try #require(copied.status == 0, "\(copied.stderr)")
        try deleteFromStore(path, projects: [first])

        let second = try project(manifest(name, substituter: "file://\(cache)?trusted=1"))
        let ran = try slipway(["exec", "--", name], in: second)
        #expect(ran.status == 0 && ran.stdout.contains("substituted-or-built"), "\(ran.stderr)")
        #expect(try markerPath(second, name) == path)
        #expect(try !builtHere(path, in: second), "the path came from the manifest's substituter")

        try deleteFromStore(path, projects: [second])
        let third = try project(manifest(name, substituter: nil))
        #expect(try slipway(["exec", "--", name], in: third).status == 0)
        #expect(try builtHere(path, in: third), "without the substituter the path is built here")
    }
    /// `slipway cache export DIR` then `SLIPWAY_NIX_CACHE=DIR` on a store without the paths:
    /// what generated pipelines do between jobs on fresh runners.
    @Test func anExportedCacheIsReadBackThroughSlipwayNixCache() throws {
        let name = "slipway-export-" + UUID().uuidString.prefix(8).lowercased()
        let first = try project(manifest(name, substituter: nil))
        try #require(try slipway(["exec", "--", "true"], in: first).status == 0)
        let path = try markerPath(first, name)
        let cache = try temporaryDirectory() + "/nix-cache"
        let exported = try slipway(["cache", "export", cache], in: first)
        try #require(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains("exported ") && exported.stdout.contains("file://\(cache)"), "\(exported.stdout)")
        #expect(FileManager.default.fileExists(atPath: cache + "/nix-cache-info"))
        try deleteFromStore(path, projects: [first])

        let second = try project(manifest(name, substituter: nil))
        let ran = try slipway(["exec", "--", name], in: second, environment: ["SLIPWAY_NIX_CACHE": cache])
        #expect(ran.status == 0 && ran.stdout.contains("substituted-or-built"), "\(ran.stderr)")
        #expect(try !builtHere(path, in: second), "the path came from the exported cache")
        try? FileManager.default.removeItem(atPath: second)
    }
}


/// `SLIPWAY_NIXPKGS`: a machine's package set without editing the manifest.
@Suite("Per-machine package set (SLIPWAY_NIXPKGS)", .tags(.integration))
struct NixpkgsOverrideIntegrationTests {
    @Test func theVariableReplacesTheManifestsPackageSetAndWritesNoLock() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "github:NixOS/nixpkgs/nixos-24.11"
            [packages]
            redis = "redis"
            """)
        let offline = ["SLIPWAY_NIXPKGS": "path:" + repositoryRoot + "/nix/offline"]
        let ran = try slipway(["exec", "--", "redis-server", "--version"], in: dir, environment: offline)
        #expect(ran.status == 0 && ran.stdout.contains("Redis server"), "\(ran.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/slipway.lock"), "the lock pins the manifest's package set only")
        let warm = try slipway(["exec", "--", "redis-server", "--version"], in: dir, environment: offline)
        #expect(warm.status == 0 && !warm.stderr.contains("building"), "\(warm.stderr)")
        // Without it, the manifest's own (unreachable here) package set is used again: the
        // environment built with the override is not taken for it.
        let unset = try slipway(["exec", "--", "redis-server", "--version"], in: dir, environment: ["SLIPWAY_NIXPKGS": nil])
        #expect(unset.status != 0 && unset.stderr.contains("SLIPWAY_NIXPKGS=path:"), "\(unset.stderr)")
    }
}
