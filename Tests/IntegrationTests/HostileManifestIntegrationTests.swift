import Foundation
import Testing

/// Hostile manifests through the built binary: each exits 1 with a located error (within 10 s: a liveness bound),
/// and writes nothing (no `.slipway/`, no `slipway.lock`).
@Suite("Hostile manifests", .tags(.integration))
struct HostileManifestIntegrationTests {
    static let head = "[project]\nname = \"hostile\"\n[nix]\nnixpkgs = \"@OFFLINE@\"\n[packages]\nbusybox = \"busybox\"\n"

    /// Runs `slipway ARGUMENTS` in a project holding `manifest` (raw bytes) and checks the rules.
    func expectRefused(_ manifest: [UInt8], _ arguments: [String] = ["exec", "--", "true"], error expected: String)
        throws
    {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(manifest).write(to: URL(fileURLWithPath: dir + "/slipway.toml"))
        let start = Date()
        let result = try slipway(arguments, in: dir)
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(elapsed < 10, "took \(elapsed) s (a liveness bound: the crashes and hangs took 80-120 s)")
        #expect(result.stderr.contains(expected), "\(result.stderr.prefix(2000))")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/slipway.lock"))
    }

    func text(_ manifest: String) -> [UInt8] {
        Array(manifest.replacingOccurrences(of: "@OFFLINE@", with: repositoryRoot + "/nix/offline").utf8)
    }

    @Test func a20000DeepTableIsRefusedWhereTheLimitIsExceeded() throws {
        let keys = Array(repeating: "a", count: 20_000).joined(separator: ".")
        try expectRefused(text(Self.head + "[" + keys + "]\nx = 1\n"),
                          error: "slipway.toml:7:258: error: the manifest nests deeper than 128 levels here")
        try expectRefused(text(Self.head + keys + " = 1\n"),
                          error: "slipway.toml:7:255: error: the manifest nests deeper than 128 levels here")
        try expectRefused(text(Self.head + "[deploy." + keys + "]\n"),
                          error: "slipway.toml:7:263: error: the manifest nests deeper than 128 levels here")
        let inline = "x = " + String(repeating: "{a = ", count: 20_000) + "1" + String(repeating: "}", count: 20_000)
        try expectRefused(text(Self.head + "[env]\n" + inline + "\n"),
                          error: "slipway.toml:8:636: error: the manifest nests deeper than 128 levels here")
    }

    @Test func a5000ProfileChainEndingInACycleIsRefused() throws {
        var manifest = Self.head
        for i in 0..<5_000 { manifest += "[profiles.p\(i)]\nextends = \"p\(i + 1)\"\n" }
        manifest += "[profiles.p5000]\nextends = \"p0\"\n"
        try expectRefused(text(manifest),
                          error: "slipway.toml:8:11: error: profiles extend each other in a cycle: p0 -> p1 -> p2")
    }

    @Test func invalidUTF8IsRefusedAtItsByte() throws {
        let bytes = text(Self.head + "[env]\nGREETING = \"caf") + [0xE9] + text("\"\n")
        try expectRefused(bytes, error: "slipway.toml:8:16: error: the manifest is not UTF-8 text: byte 0xE9 is not valid UTF-8")
        try expectRefused(bytes, ["up", "-d"], error: "slipway.toml:8:16: error: the manifest is not UTF-8 text")
    }

    @Test func aManifestOverTheSizeLimitIsRefused() throws {
        let padding = [UInt8](repeating: UInt8(ascii: "#"), count: 17 * 1024 * 1024)
        try expectRefused(text(Self.head) + padding,
                          error: "slipway.toml:1:1: error: the manifest is larger than 16 MiB (16777216 bytes)")
    }

    @Test func twoServicesWithOneFixedPortAreRefusedBeforeAnythingStarts() throws {
        let manifest = Self.head + """
            [services.web]
            command = "exec busybox httpd -f -p $PORT"
            port = 18_471
            [services.admin]
            command = "exec busybox httpd -f -p $PORT"
            port = 18_471
            """
        try expectRefused(text(manifest), ["up", "-d"],
                          error: "slipway.toml:12:8: error: invalid value for 'services.admin.port': services 'web' and 'admin' both use port 18471 in profile 'dev'")
    }

    @Test func aServiceUserThatDoesNotExistIsReportedBeforeAnythingStarts() throws {
        #expect(geteuid() == 0, "`user` applies only when Slipway runs as root; run this test as root")
        let dir = try project(Self.head + """
            [services.db]
            command = "exec busybox sleep 60"
            user = "pgsql-no-such-account"
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        for arguments in [["up", "-d"], ["up"]] {
            let result = try slipway(arguments, in: dir)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("service 'db': user 'pgsql-no-such-account' does not exist on this machine"),
                    "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("exited before it was ready"), "\(result.stderr)")
            // Nothing started: no supervisor log, no state folder for the service.
            #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/state/dev/logs/supervisor.log"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/state/dev/db"))
        }
    }
}
