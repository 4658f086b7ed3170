import Foundation
import Testing

/// Issue 14 item 4, presets in prod images: `[images.db] service = "db"` with the postgresql
/// preset, built by `slipway image build`, run by podman as a compose file would run a database
/// image: as its non-root user, the data folder a bind-mounted host folder, the port from `-e`.
/// psql answers, `podman stop` (the image's StopSignal, SIGINT) shuts the server down cleanly,
/// a second container on the same folder has the data, and a host folder the user cannot write
/// stops the container at once with the fix.
@Suite(.tags(.integration), .serialized)
struct ServiceImageIntegrationTests {
    /// Output to files, not pipes: `podman run -d` leaves conmon holding what it inherited.
    static func podman(_ arguments: [String], in dir: String) throws -> RunResult {
        try runToFiles("/usr/bin/podman", arguments, in: dir)
    }

    static func waitForSQL(_ dir: String, port: Int, _ sql: String) throws -> RunResult {
        var last = RunResult(status: -1, stdout: "", stderr: "")
        for _ in 0..<120 {
            last = try slipway(["exec", "--", "psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "app", "-d", "app",
                                "-tA", "-c", sql], in: dir)
            if last.status == 0 { return last }
            usleep(250_000)
        }
        return last
    }

    @Test func aPostgresImageRunsAsItsUserOnABindMountedFolderAndStopsCleanly() throws {
        let dir = try project("""
            [project]
            name = "svcimage"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            postgres = "postgresql_15"
            busybox = "busybox"
            [services.db]
            preset = "postgresql"
            databases = ["app"]
            users = ["app"]
            [images.db]
            name = "svcimage/db"
            service = "db"
            """)
        let built = try slipway(["image", "build", "db"], in: dir)
        try #require(built.status == 0, "\(built.stderr)")
        let loaded = try slipway(["image", "load", "db"], in: dir)
        try #require(loaded.status == 0, "\(loaded.stderr)")
        let image = "localhost/svcimage/db:latest"
        defer { _ = try? Self.podman(["rmi", "-f", image], in: dir) }
        let config = try Self.podman(["image", "inspect", "-f", "{{.Config.User}} {{.Config.StopSignal}}", image], in: dir)
        #expect(config.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1000:1000 SIGINT", "\(config.stdout)")

        let data = try temporaryDirectory()
        #expect(chown(data, 1000, 1000) == 0)
        let port = TestRegistry.freePort()
        let name = "svcimage-\(UUID().uuidString.prefix(8))"
        let arguments = ["run", "-d", "--name", name, "--network", "host", "-e", "PORT=\(port)", "-v", "\(data):/var/lib/db", image]
        try #require(try Self.podman(arguments, in: dir).status == 0)
        defer { _ = try? Self.podman(["rm", "-f", "-t", "0", name], in: dir) }
        let answer = try Self.waitForSQL(dir, port: port, "create table t (n int); insert into t values (42); select 1")
        let started = try Self.podman(["logs", name], in: dir)
        #expect(answer.status == 0 && answer.stdout.contains("1"), "psql answers the container: \(answer.stderr)\n\(started.stderr)")
        #expect(try Self.podman(["stop", "-t", "30", name], in: dir).status == 0)
        let exit = try Self.podman(["inspect", "-f", "{{.State.ExitCode}}", name], in: dir)
        let logs = try Self.podman(["logs", name], in: dir)
        #expect(exit.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "a clean exit on SIGINT: \(logs.stderr.suffix(2000))")
        #expect((logs.stdout + logs.stderr).contains("database system is shut down"), "\(logs.stderr.suffix(2000))")

        let again = "svcimage-\(UUID().uuidString.prefix(8))"
        try #require(try Self.podman(["run", "-d", "--name", again, "--network", "host", "-e", "PORT=\(port)",
                                      "-v", "\(data):/var/lib/db", image], in: dir).status == 0)
        defer { _ = try? Self.podman(["rm", "-f", "-t", "0", again], in: dir) }
        let kept = try Self.waitForSQL(dir, port: port, "select n from t")
        #expect(kept.status == 0 && kept.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "42", "the data survived: \(kept.stdout)\(kept.stderr)")
        _ = try Self.podman(["stop", "-t", "30", again], in: dir)

        let rootOwned = try temporaryDirectory()
        chmod(rootOwned, 0o755)
        let refused = try Self.podman(["run", "--rm", "--network", "host", "-e", "PORT=\(port)", "-v", "\(rootOwned):/var/lib/db", image], in: dir)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("db: /var/lib/db is not writable by uid 1000") && refused.stderr.contains("chown"), "\(refused.stderr)")
    }
}
