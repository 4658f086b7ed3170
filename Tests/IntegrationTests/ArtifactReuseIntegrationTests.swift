import Foundation
import Testing

/// An unchanged artifact is reused without Nix (issue 15 item 4): the second `image build`
/// of an image made of an artifact runs no `nix` process (strace), a change to one of the
/// artifact's files builds it again with two `nix` runs at most (the build and the new path's
/// closure), and a removed `result-*` link (its GC root) too.
@Suite("Artifact reuse", .tags(.integration), .serialized)
struct ArtifactReuseIntegrationTests {
    static let manifest = #"""
        [project]
        name = "reuse"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        [artifacts.site]
        nix = "runCommand \"site\" { } ''mkdir -p $out/public; cp -r ${src}/public/. $out/public/''"
        include = ["public"]
        [images.web]
        contents = ["busybox", "artifact:site:public"]
        entrypoint = ["cat", "/public/index.html"]
        """#

    /// `image build web` under strace: its output and how many `nix` commands it ran (Nix's
    /// build hook, a `nix` that Nix starts, is not counted).
    func build(_ dir: String) throws -> (RunResult, [Substring]) {
        let trace = NSTemporaryDirectory() + "reuse-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let result = try run("/usr/bin/env", ["strace", "-f", "-qq", "-e", "trace=execve", "-o", trace, slipwayBinary, "image", "build", "web"], in: dir)
        let started = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("execve(\"") && $0.contains("/nix\", [") && $0.hasSuffix("= 0") }
            // Nix's own build hook is the nix binary again (`nix __build-remote`, started by
            // Nix 2.26 for every build): not a run of Slipway's.
            .filter { !$0.contains("\"__build-remote\"") }
        return (result, started)
    }

    @Test func anUnchangedArtifactIsReusedWithoutNixAndAChangedOneIsBuilt() throws {
        let dir = try project(Self.manifest)
        try FileManager.default.createDirectory(atPath: dir + "/public", withIntermediateDirectories: true)
        try "v1\n".write(toFile: dir + "/public/index.html", atomically: true, encoding: .utf8)
        let (first, firstLines) = try build(dir)
        let firstRuns = firstLines.count
        try #require(first.status == 0, "\(first.stderr)")
        #expect(firstRuns > 0, "the cold build runs Nix")
        // The first build of a project also writes slipway.lock (part of the key), so the one
        // after it may still go to Nix once; from then on nothing changed means no Nix.
        _ = try build(dir)
        let (second, secondLines) = try build(dir)
        let secondRuns = secondLines.count
        #expect(second.status == 0 && second.stdout == first.stdout, "same digest: \(second.stdout) vs \(first.stdout)")
        #expect(secondRuns == 0, "an unchanged rebuild runs no nix (\(secondRuns) ran)")

        // New bytes on every run of the test, so Nix really builds (a store path from an earlier
        // run would be only a look-up).
        try "v2 \(UUID().uuidString)\n".write(toFile: dir + "/public/index.html", atomically: true, encoding: .utf8)
        let (changed, changedLines) = try build(dir)
        let changedRuns = changedLines.count
        #expect(changed.status == 0 && changed.stdout != first.stdout, "\(changed.stderr)")
        #expect(changedRuns > 0, "a changed artifact file is built again")
        // The packages' closure and the extras come from the cache: Nix builds the artifact and
        // gives the new store path's closure, nothing else.
        #expect(changedRuns <= 2, "an app-only change runs nix only for the artifact and its closure (\(changedRuns) ran: \(changedLines))")
        try FileManager.default.removeItem(atPath: dir + "/result-site-public")
        let (relinked, relinkedLines) = try build(dir)
        let relinkedRuns = relinkedLines.count
        #expect(relinked.stdout == changed.stdout && relinkedRuns > 0, "a removed GC root link sends the build to Nix again")
        #expect(FileManager.default.fileExists(atPath: dir + "/result-site-public"))
    }
}
