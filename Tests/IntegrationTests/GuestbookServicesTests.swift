import Foundation
import Testing

/// The guestbook's real PostgreSQL, Redis and PHP services.
@Suite("Guestbook services", .tags(.integration), .serialized)
struct GuestbookServicesTests {
    func port(_ dir: String, _ service: String) throws -> Int { try servicePort(dir, service) }

    @Test func upWritesThroughTheAppAndDataSurvivesDownAndUp() throws {
        let dir = try exampleCopy("guestbook")
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        for line in ["postgres  ready", "redis     ready", "migrate   exited", "web       ready"] {
            #expect(up.stdout.contains(line), "\(up.stdout)")
        }
        let web = try port(dir, "web")
        let (health, healthBody) = try http("http://127.0.0.1:\(web)/health")
        #expect(health == 200)
        #expect(healthBody.contains(#""postgres":"ok","redis":"ok""#))
        let (signed, _) = try http("http://127.0.0.1:\(web)/", form: "name=Ada&message=first")
        #expect(signed == 303)
        let insert = try slipway(["exec", "--", "sh", "-c",
            #"psql -h 127.0.0.1 -p "$POSTGRES_PORT" -c "insert into entries (name, message) values ('psql', 'second')""#], in: dir)
        #expect(insert.status == 0, "\(insert.stderr)")
        let down = try slipway(["down"], in: dir)
        #expect(down.status == 0)
        let pgLog = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/postgres.log", encoding: .utf8)
        #expect(pgLog.contains("database system is shut down"))

        #expect(try slipway(["up", "-d"], in: dir).status == 0)
        let rows = try slipway(["exec", "--", "psql", "-At", "-c", "select name || ':' || message from entries order by id"], in: dir)
        #expect(rows.stdout == "Ada:first\npsql:second\n", "\(rows.stderr)")
        let (page, html) = try http("http://127.0.0.1:\(try port(dir, "web"))/")
        #expect(page == 200)
        #expect(html.contains("2 entries"))
        #expect(try slipway(["down"], in: dir).status == 0)
        let shutdowns = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/postgres.log", encoding: .utf8)
            .components(separatedBy: "database system is shut down\n").count - 1
        #expect(shutdowns == 2)
    }

    @Test func twentyPostgresCyclesKeepTheData() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            postgres = "postgresql_15"
            [services.postgres]
            user = "nobody"
            setup = "[ -f $STATE_DIR/data/PG_VERSION ] || initdb -D $STATE_DIR/data -U app --auth=trust --no-sync"
            command = "exec postgres -D $STATE_DIR/data -k $STATE_DIR -h 127.0.0.1 -p $PORT"
            port = "auto"
            ready = { exec = "pg_isready -q -h 127.0.0.1 -p $PORT -U app -d postgres" }
            stop_signal = "SIGINT"
            """)
        func psql(_ sql: String) throws -> RunResult {
            try slipway(["exec", "--", "sh", "-c", #"psql -At -h 127.0.0.1 -p "$POSTGRES_PORT" -U app -d postgres -c "$0""#, sql], in: dir)
        }
        for cycle in 1...20 {
            let up = try slipway(["up", "-d"], in: dir)
            #expect(up.status == 0, "cycle \(cycle): \(up.stderr)")
            if cycle == 1 { _ = try psql("create table t (n int)") }
            _ = try psql("insert into t values (\(cycle))")
            let count = try psql("select count(*), sum(n) from t")
            #expect(count.stdout == "\(cycle)|\(cycle * (cycle + 1) / 2)\n", "cycle \(cycle): \(count.stdout)\(count.stderr)")
            #expect(try slipway(["down"], in: dir).status == 0)
        }
        let log = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/postgres.log", encoding: .utf8)
        #expect(log.components(separatedBy: "database system is shut down\n").count - 1 == 20)
        #expect(!log.contains("was interrupted"), "no crash recovery was needed")
    }

    @Test func prodImagesServeTheAppUnderPodman() throws {
        try holdingFixedPorts { try prodImagesServe() }
    }

    /// Binds 8080 (the web image's nginx, on the host's network).
    func prodImagesServe() throws {
        let dir = try exampleCopy("guestbook")
        let env: [String: String?] = ["XDG_CACHE_HOME": dir + "/.cache-test"]
        let build = try slipway(["image", "build"], in: dir, environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        for image in ["app", "web"] {
            let load = try slipway(["image", "load", image], in: dir, environment: env)
            #expect(load.status == 0, "\(load.stderr)")
        }
        let up = try slipway(["up", "-d", "postgres", "redis", "migrate"], in: dir)
        #expect(up.status == 0, "\(up.stderr)")
        defer { _ = try? slipway(["down"], in: dir) }
        let ports = try slipway(["exec", "--", "sh", "-c", "echo $POSTGRES_PORT $REDIS_PORT"], in: dir).stdout
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let suffix = String(UUID().uuidString.prefix(6)).lowercased()
        let podman = "/usr/bin/env"
        let app = try runToFiles(podman, ["podman", "run", "-d", "--name", "gb-app-\(suffix)", "--network", "host",
                                          "-e", "POSTGRES_PORT=\(ports[0])", "-e", "REDIS_PORT=\(ports[1])", "localhost/app:latest"], in: dir)
        #expect(app.status == 0, "\(app.stderr)")
        let web = try runToFiles(podman, ["podman", "run", "-d", "--name", "gb-web-\(suffix)", "--network", "host", "localhost/web:latest"], in: dir)
        #expect(web.status == 0, "\(web.stderr)")
        defer { _ = try? runToFiles(podman, ["podman", "rm", "-f", "gb-app-\(suffix)", "gb-web-\(suffix)"], in: dir) }
        let health = try waitForHTTP("http://127.0.0.1:8080/health")
        #expect(health.0 == 200, "\(health)")
        #expect(health.1.contains(#""postgres":"ok","redis":"ok""#))
        #expect(try http("http://127.0.0.1:8080/", form: "name=Grace&message=from+the+prod+image").0 == 303)
        let page = try http("http://127.0.0.1:8080/")
        #expect(page.0 == 200)
        #expect(page.1.contains("Grace"))
        let whoami = try runToFiles(podman, ["podman", "exec", "gb-app-\(suffix)", "id", "-u"], in: dir)
        #expect(whoami.stdout == "1000\n")
        // The web image carries the public files only (`artifact:app:app/public`), not the PHP sources.
        let files = try runToFiles("/bin/sh", ["-c", "podman export gb-web-\(suffix) | tar -tf -"], in: dir)
        #expect(files.status == 0 && files.stdout.contains("app/public/index.php"), "\(files.stderr)")
        #expect(!files.stdout.contains("Guestbook.php"), "no PHP sources in the web image")
    }
}
