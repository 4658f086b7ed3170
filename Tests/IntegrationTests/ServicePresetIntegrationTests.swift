import Foundation
import Testing

/// `preset = "..."` services with the offline set's real servers.
@Suite("Service presets", .tags(.integration))
struct ServicePresetIntegrationTests {
    static let header = """
        [nix]
        nixpkgs = "@OFFLINE@"

        """

    func port(_ dir: String, _ service: String) throws -> Int { try servicePort(dir, service) }

    @Test func postgresqlPresetCreatesTheDatabaseAndStopsCleanly() throws {
        #expect(geteuid() == 0, "the preset's `user` applies when Slipway runs as root; run this test as root")
        let dir = try project(Self.header + """
            [packages]
            postgres = "postgresql_15"
            [services.db]
            preset = "postgresql"
            databases = ["app"]
            users = ["app"]
            settings = { max_connections = 20 }
            init_sql = "create table greetings (word text); insert into greetings values ('hello');"
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let port = try port(dir, "db")
        func psql(_ sql: String) throws -> RunResult {
            try slipway(["exec", "--", "psql", "-h", "127.0.0.1", "-p", String(port), "-U", "app", "-d", "app", "-Atc", sql], in: dir)
        }
        let one = try psql("select 1")
        #expect(one.stdout == "1\n", "\(one.stderr)")
        #expect(try psql("select word from greetings").stdout == "hello\n")
        #expect(try psql("show max_connections").stdout == "20\n")
        #expect(try slipway(["exec", "--", "sh", "-c", "echo $DB_PORT"], in: dir).stdout == "\(port)\n")
        // The preset's PGHOST, PGPORT, PGUSER and PGDATABASE: psql needs no flags.
        let plain = try slipway(["exec", "--", "psql", "-Atc", "select current_user || ' ' || current_database()"], in: dir)
        #expect(plain.stdout == "app app\n", "\(plain.stderr)")
        let data = try FileManager.default.attributesOfItem(atPath: dir + "/.slipway/state/dev/db/data/PG_VERSION")
        #expect(data[.ownerAccountName] as? String == "nobody", "the preset runs PostgreSQL as nobody under root")
        #expect(try slipway(["down"], in: dir).status == 0)
        let logPath = dir + "/.slipway/state/dev/logs/db.log"
        #expect(try String(contentsOfFile: logPath, encoding: .utf8).contains("database system is shut down"))

        // A second start keeps the data and runs init_sql no second time.
        let again = try slipway(["up", "-d"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try psql("select count(*) from greetings").stdout == "1\n")
        #expect(try slipway(["down"], in: dir).status == 0)
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.components(separatedBy: "database system is shut down").count - 1 >= 3, "temporary and real servers")
        #expect(!log.contains("was interrupted"), "no crash recovery was needed")
    }

    /// The offline set's MariaDB 10.11 under the `mariadb` preset, run by root: the server runs
    /// as nobody, the profile's `mariadb` and `mysql` clients answer in database `app` (with no
    /// flags through `MYSQL_HOME`), `down` shuts it down cleanly and leaves no process, and a
    /// second start finds the same data.
    @Test func mariadbPresetServesTheDatabaseAndStopsCleanly() throws {
        #expect(geteuid() == 0, "the preset's `user` applies when Slipway runs as root; run this test as root")
        let dir = try project(Self.header + """
            [packages]
            mariadb = "mariadb"
            [services.db]
            preset = "mariadb"
            databases = ["app"]
            users = ["app"]
            settings = { max_connections = 20 }
            init_sql = "create table greetings (word text); insert into greetings values ('hello');"
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let port = try port(dir, "db")
        func mysql(_ sql: String) throws -> RunResult {
            try slipway(["exec", "--", "mysql", "-h", "127.0.0.1", "-P", String(port), "-u", "app", "app", "-Nse", sql],
                        in: dir)
        }
        let one = try mysql("select 1")
        #expect(one.stdout == "1\n", "\(one.stderr)")
        #expect(try mysql("select word from greetings").stdout == "hello\n")
        #expect(try mysql("select @@max_connections").stdout == "20\n")
        // The preset's MYSQL_HOME: my.cnf's [client] and [mysql] groups, so mariadb needs no flags.
        let who = "select concat(current_user(), ' ', database())"
        let plain = try slipway(["exec", "--", "mariadb", "-Nse", who], in: dir)
        #expect(plain.stdout == "app@% app\n", "\(plain.stderr)")
        let state = dir + "/.slipway/state/dev/db"
        let data = try FileManager.default.attributesOfItem(atPath: state + "/data/mysql")
        #expect(data[.ownerAccountName] as? String == "nobody", "the preset runs MariaDB as nobody under root")
        let server = try #require(try serverPID(dir))
        #expect(try slipway(["down"], in: dir).status == 0)
        #expect(kill(server, 0) == -1 && errno == ESRCH, "mariadbd \(server) still runs")
        #expect(ProcessFaultTests().projectProcesses(dir).isEmpty, "a process of the project outlived down")
        let logPath = dir + "/.slipway/state/dev/logs/db.log"
        #expect(try String(contentsOfFile: logPath, encoding: .utf8).hasSuffix("mariadbd: Shutdown complete\n"))

        // A second start keeps the data and runs init_sql no second time.
        let again = try slipway(["up", "-d"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try mysql("select count(*) from greetings").stdout == "1\n")
        #expect(try slipway(["down"], in: dir).status == 0)
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.components(separatedBy: "mariadbd: Shutdown complete").count - 1 == 3, "temporary and real servers")
        #expect(!log.contains("crash recovery"), "no crash recovery was needed")
        let check = try checkClosure(try environmentClosure(dir, profile: "dev"), in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    /// The pid `slipway ps --json` reports for the `db` service.
    func serverPID(_ dir: String) throws -> pid_t? {
        let ps = try slipway(["ps", "--json"], in: dir)
        let status = try JSONSerialization.jsonObject(with: Data(ps.stdout.utf8)) as? [String: Any]
        let services = status?["services"] as? [[String: Any]]
        return (services?.first { $0["name"] as? String == "db" }?["pid"] as? Int).map { pid_t($0) }
    }

    @Test func redisPresetAnswersPingAndKeepsItsData() throws {
        let dir = try project(Self.header + """
            [packages]
            redis = "redis"
            [services.cache]
            preset = "redis"
            settings = { appendonly = true }
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let port = String(try port(dir, "cache"))
        let ping = try slipway(["exec", "--", "redis-cli", "-p", port, "ping"], in: dir)
        #expect(ping.stdout == "PONG\n", "\(ping.stderr)")
        #expect(try slipway(["exec", "--", "redis-cli", "-p", port, "set", "k", "v"], in: dir).stdout == "OK\n")
        #expect(try slipway(["down"], in: dir).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/.slipway/state/dev/cache/appendonlydir"))
        #expect(try slipway(["up", "-d"], in: dir).status == 0)
        #expect(try slipway(["exec", "--", "redis-cli", "-p", port, "get", "k"], in: dir).stdout == "v\n")
        #expect(try slipway(["down"], in: dir).status == 0)
        let log = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/cache.log", encoding: .utf8)
        #expect(log.contains("ready to exit, bye bye"), "\(log)")
    }

    /// nginx and php-fpm presets together, both as `nobody` under root: php-fpm's
    /// `error_log = /proc/self/fd/2` and nginx's `access_log /dev/stdout` land in the logs.
    @Test func nginxPassesPHPToThePHPFPMPreset() throws {
        let dir = try project(Self.header + """
            [packages]
            php = "php82"
            nginx = "nginx"
            [services.php]
            preset = "php-fpm"
            [services.web]
            preset = "nginx"
            php_fpm = "php"
            depends_on = { php = "healthy" }
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/public", withIntermediateDirectories: true)
        try #"<?php error_log("from-php-worker"); echo "php says hi";"#
            .write(toFile: dir + "/public/index.php", atomically: true, encoding: .utf8)
        try "static\n".write(toFile: dir + "/public/hello.txt", atomically: true, encoding: .utf8)
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let web = try port(dir, "web")
        let page = try http("http://127.0.0.1:\(web)/index.php")
        #expect(page.0 == 200 && page.1.contains("php says hi"), "\(page)")
        let file = try http("http://127.0.0.1:\(web)/hello.txt")
        #expect(file.0 == 200 && file.1.contains("static"), "\(file)")
        #expect(try slipway(["down"], in: dir).status == 0)
        let logs = dir + "/.slipway/state/dev/logs/"
        let php = try String(contentsOfFile: logs + "php.log", encoding: .utf8)
        #expect(php.contains("from-php-worker"), "\(php)")
        #expect(!php.contains("Permission denied"), "\(php)")
        let nginx = try String(contentsOfFile: logs + "web.log", encoding: .utf8)
        #expect(nginx.contains("GET /hello.txt"), "\(nginx)")
    }

    /// caddy serving `root` as `nobody` under root and passing PHP to the php-fpm preset, its
    /// state in the service's folder, and a graceful stop on `slipway down`.
    @Test func caddyPresetServesAFileAndStopsCleanly() throws {
        let dir = try project(Self.header + """
            [packages]
            caddy = "caddy"
            php = "php82"
            [services.php]
            preset = "php-fpm"
            [services.web]
            preset = "caddy"
            root = "site"
            php_fpm = "php"
            depends_on = { php = "healthy" }
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/site", withIntermediateDirectories: true)
        try "served by caddy\n".write(toFile: dir + "/site/hello.txt", atomically: true, encoding: .utf8)
        try #"<?php echo "php via caddy";"#.write(toFile: dir + "/site/index.php", atomically: true, encoding: .utf8)
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let web = try port(dir, "web")
        let file = try http("http://127.0.0.1:\(web)/hello.txt")
        #expect(file.0 == 200 && file.1 == "served by caddy\n", "\(file)")
        let page = try http("http://127.0.0.1:\(web)/")
        #expect(page.0 == 200 && page.1 == "php via caddy", "\(page)")
        #expect(try slipway(["down"], in: dir).status == 0)
        let state = dir + "/.slipway/state/dev/web/"
        #expect(FileManager.default.fileExists(atPath: state + "Caddyfile"))
        #expect(FileManager.default.fileExists(atPath: state + "config/caddy/autosave.json"))
        let log = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/web.log", encoding: .utf8)
        #expect(log.contains(#""uri":"/hello.txt""#), "\(log)")
        #expect(log.contains("shutdown complete"), "\(log)")
        #expect(!log.contains("permission denied"), "\(log)")
    }

    /// php-fpm on a unix socket (the Symfony set-up), ready by a `unix` probe; not before it listens.
    @Test func phpFPMOnAUnixSocketIsReadyByAUnixProbe() throws {
        let dir = try project(Self.header + """
            [packages]
            php = "php82"
            [services.php]
            preset = "php-fpm"
            settings = { listen = "$STATE_DIR/php.sock" }
            ready = { unix = "$STATE_DIR/php.sock", start_timeout = 5 }
            [services.late]
            command = "exec sleep 1000"
            ready = { unix = "$STATE_DIR/never.sock", start_timeout = 1 }
            restart = "no"
            """)
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        let up = try slipway(["up", "-d", "php"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let ps = try slipway(["ps", "--json"], in: dir)
        #expect(ps.stdout.contains(#""state" : "ready""#), "\(ps.stdout)")
        let socket = dir + "/.slipway/state/dev/php/php.sock"
        let kind = (try FileManager.default.attributesOfItem(atPath: socket))[.type] as? FileAttributeType
        #expect(kind == .typeSocket)
        #expect(try slipway(["down"], in: dir).status == 0)
        let late = try slipway(["up", "-d", "late"], in: dir)
        #expect(late.status != 0)
        #expect(late.stderr.contains("not ready within 1s"), "\(late.stderr)")
    }
}
