import Foundation
import SlipwayCore
import Testing
@testable import SlipwayManifest

/// `preset = "..."` services (the helpers are ServiceManifestTests').
extension ServiceManifestTests {
    /// `sh -n`: the script parses.
    func shellParses(_ script: String) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-n", "-c", script]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test func postgresqlFillsEveryFieldFromItsOptions() throws {
        let db = try #require(try services("""
            [services.db]
            preset = "postgresql"
            databases = ["app", "app_test"]
            users = ["app"]
            settings = { max_connections = 20, fsync = false, log_line_prefix = "%m [$SLIPWAY_SERVICE] " }
            init_sql = "create table t (n int);"
            """).first)
        #expect(db.preset == .postgresql)
        #expect(db.port == .auto)
        #expect(db.user == "nobody")
        #expect(db.stopSignal == 2)
        #expect(db.command.hasPrefix(#"exec postgres -D "$STATE_DIR/data""#))
        #expect(db.command.contains(#" -c "max_connections=20" -c "fsync=false" -c "log_line_prefix=%m [$SLIPWAY_SERVICE] ""#))
        #expect(db.ready?.kind == .exec(#"pg_isready -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres"#))
        let setup = try #require(db.setup)
        #expect(setup.contains("SELECT 'CREATE ROLE app LOGIN'"))
        #expect(setup.contains("SELECT 'CREATE DATABASE app_test OWNER app'"))
        #expect(setup.contains("-d app <<'SLIPWAY_INIT_SQL'\ncreate table t (n int);\nSLIPWAY_INIT_SQL\n"))
        #expect(try shellParses(setup), "\(setup)")
        #expect(try shellParses(db.command))
    }

    /// libpq's variables for the profile: PGDATABASE only when there is one database.
    @Test func postgresqlExportsLibpqVariables() throws {
        func exports(_ options: String) throws -> [String: String] {
            let spec = try #require(try services("[services.main-db]\npreset = \"postgresql\"\n" + options).first)
            return Dictionary(uniqueKeysWithValues: spec.exports.map { ($0.name, $0.value) })
        }
        #expect(try exports(#"databases = ["app"]"#)
            == ["PGHOST": "127.0.0.1", "PGPORT": "$MAIN_DB_PORT", "PGUSER": "postgres", "PGDATABASE": "app"])
        let two = try exports("databases = [\"app\", \"app_test\"]\nusers = [\"app\", \"ro\"]")
        #expect(two == ["PGHOST": "127.0.0.1", "PGPORT": "$MAIN_DB_PORT", "PGUSER": "app"])
        #expect(try services("[services.cache]\npreset = \"redis\"").first?.exports == [])
    }

    /// `preset = "mariadb"` (and its alias `mysql`): my.cnf from the options, install-db once,
    /// the creation SQL for a temporary server, the clients' `MYSQL_HOME`.
    @Test(arguments: ["mariadb", "mysql"]) func mariadbFillsEveryFieldFromItsOptions(name: String) throws {
        let db = try #require(try services("""
            [services.main-db]
            preset = "\(name)"
            databases = ["app", "app_test"]
            users = ["app", "ro"]
            settings = { max_connections = 20, "bind-address" = "0.0.0.0", performance_schema = true, \
            general_log_file = "$STATE_DIR/q.log" }
            init_sql = "create table t (n int);\\ninsert into t values (1);"
            """).first)
        #expect(db.preset == .mariadb)
        #expect(db.port == .auto)
        #expect(db.user == "nobody")
        #expect(db.stopSignal == 15)
        #expect(db.command == #"exec mariadbd --defaults-file="$STATE_DIR/my.cnf""#)
        #expect(db.ready?.kind == .exec(#"mariadb-admin --no-defaults -h 127.0.0.1 -P "$PORT" -u root ping"#))
        #expect(db.exports.map { "\($0.name)=\($0.value)" } == ["MYSQL_HOME=$SLIPWAY_STATE/main-db"])
        let setup = try #require(db.setup)
        // the preset's options, a setting of the same name in place, the others after them
        let config = #""[mariadbd]" "datadir=$STATE_DIR/data" "socket=$STATE_DIR/mysqld.sock" "#
            + #""pid-file=$STATE_DIR/mariadbd.pid" "port=$PORT" "bind-address=0.0.0.0" "skip-name-resolve=ON" "#
            + #""max_connections=20" "performance_schema=ON" "general_log_file=$STATE_DIR/q.log" "#
            + #""[client]" "host=127.0.0.1" "port=$PORT" "user=app" > "$STATE_DIR/my.cnf""#
        #expect(setup.contains(config), "\(setup)")
        #expect(!setup.contains("[mysql]"), "no default database with two")
        #expect(setup.contains(#"mariadb-install-db --defaults-file="$STATE_DIR/my.cnf""#))
        #expect(setup.contains("CREATE USER IF NOT EXISTS 'ro'@'%';"))
        #expect(setup.contains(
            "CREATE DATABASE IF NOT EXISTS `app_test`;\nGRANT ALL PRIVILEGES ON `app\\_test`.* TO 'app'@'%';"))
        #expect(setup.contains(#"-u app app 2>>"$STATE_DIR/setup.err" <<'SLIPWAY_INIT_SQL' "#
            + #"&& : > "$STATE_DIR/init_sql.done" || status=1"#
            + "\ncreate table t (n int);\ninsert into t values (1);\nSLIPWAY_INIT_SQL\n"))
        #expect(try shellParses(setup), "\(setup)")
        #expect(try shellParses(db.command))

        let plain = try #require(try services("[services.db]\npreset = \"mariadb\"\ndatabases = [\"app\"]").first)
        let plainSetup = try #require(plain.setup)
        #expect(plainSetup.contains(#""user=root" "[mysql]" "database=app" > "$STATE_DIR/my.cnf""#), "\(plainSetup)")
        #expect(!plainSetup.contains("GRANT") && !plainSetup.contains("SLIPWAY_INIT_SQL"))
        #expect(try shellParses(plainSetup))
    }

    @Test func theServicesOwnKeysOverrideThePreset() throws {
        let specs = try services("""
            [services.cache]
            preset = "redis"
            port = 6380
            user = "redis"
            stop_signal = "SIGINT"
            ready = { tcp = "$PORT" }
            [profiles.ci.services.cache]
            settings = { appendonly = true }
            command = "exec redis-server --port $PORT"
            """, profile: "ci")
        let cache = try #require(specs.first)
        #expect(cache.port == .fixed(6380))
        #expect(cache.user == "redis")
        #expect(cache.stopSignal == 2)
        #expect(cache.ready?.kind == .tcp(0))
        #expect(cache.command == "exec redis-server --port $PORT")
        let dev = try #require(try services("""
            [services.cache]
            preset = "redis"
            settings = { appendonly = true, save = "" }
            """).first)
        #expect(dev.command == #"exec redis-server --bind "${SLIPWAY_LISTEN:-127.0.0.1}" --port "$PORT" --dir "$STATE_DIR" --appendonly "yes" --save """#)
    }

    @Test func webServerPresetsWriteTheirConfiguration() throws {
        let specs = try services("""
            [services.php]
            preset = "php-fpm"
            settings = { "pm.max_children" = 2, "php_admin_value[memory_limit]" = "256M" }
            [services.web]
            preset = "nginx"
            root = "public"
            php_fpm = "php"
            settings = { gzip = true }
            """)
        let php = try #require(specs.first), web = try #require(specs.last)
        let fpm = try #require(php.setup)
        #expect(fpm.contains(#""pm.max_children = 2""#))
        #expect(fpm.contains(#""php_admin_value[memory_limit] = 256M""#))
        #expect(fpm.contains(#""error_log = /proc/self/fd/2""#))
        #expect(php.stopSignal == 3)
        let nginx = try #require(web.setup)
        #expect(nginx.contains(#""fastcgi_pass 127.0.0.1:$PHP_PORT;""#))
        #expect(nginx.contains("'fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;'"))
        #expect(nginx.contains(#""gzip on;""#))
        #expect(nginx.contains(#""include ${nginx%/bin/nginx}/conf/fastcgi_params;""#))
        #expect(try shellParses(fpm) && shellParses(nginx))
    }

    @Test func caddyServesTheRootAndPassesPHPToThePHPFPMPreset() throws {
        let specs = try services("""
            [services.php]
            preset = "php-fpm"
            [services.web]
            preset = "caddy"
            root = "web/public"
            php_fpm = "php"
            settings = { encode = "gzip" }
            stop_signal = "SIGINT"
            """)
        let web = try #require(specs.last)
        #expect(web.preset == .caddy)
        #expect(web.port == .auto)
        #expect(web.user == "nobody")
        #expect(web.stopSignal == 2)
        #expect(web.ready?.kind == .http("/.slipway-ready"))
        let command = web.command
        #expect(command.hasSuffix(#"exec caddy run --config "$STATE_DIR/Caddyfile" --adapter caddyfile"#))
        #expect(command.contains(#"XDG_DATA_HOME="$STATE_DIR/data" XDG_CONFIG_HOME="$STATE_DIR/config""#))
        let setup = try #require(web.setup)
        for line in ["admin off", "auto_https off", "http://:$PORT {", "bind ${SLIPWAY_LISTEN:-127.0.0.1}", "root * $SLIPWAY_ROOT/web/public",
                     "php_fastcgi 127.0.0.1:$PHP_PORT", "encode gzip", "respond /.slipway-ready 204", "file_server"] {
            #expect(setup.contains("\"\(line)\""), "\(line) in \(setup)")
        }
        #expect(setup.hasSuffix(#" > "$STATE_DIR/Caddyfile""#))
        #expect(try shellParses(setup) && shellParses(command))
    }

    @Test("preset mistakes are located", arguments: [
        ("preset = \"postgres\"", "2:10: invalid value for 'services.db.preset': unknown preset 'postgres' (did you mean 'postgresql'?)"),
        ("command = \"x\"\ndatabases = [\"app\"]",
         "3:1: invalid value for 'services.db.databases': 'databases' is a preset key; "
            + "add preset = \"postgresql\" or \"mariadb\", or remove it"),
        ("preset = \"mariadb\"\nroot = \"public\"",
         "3:1: invalid value for 'services.db.root': preset 'mariadb' has no 'root'; "
            + "its own keys: databases, users, settings, init_sql"),
        ("preset = \"mysql\"\nusers = [\"app\", \"Ro\"]",
         "3:17: invalid value for 'services.db.users': 'Ro' is not a plain SQL name"),
        ("preset = \"mysql\"\nsettings = { max_connections = { n = 1 } }",
         "3:32: 'services.db.settings.max_connections' must be a string, number or boolean"),
        ("preset = \"maria\"",
         "2:10: invalid value for 'services.db.preset': unknown preset 'maria' (did you mean 'mariadb'?); "
            + "presets: postgresql, mariadb, redis"),
        ("preset = \"redis\"\ndatabases = [\"app\"]",
         "3:1: invalid value for 'services.db.databases': preset 'redis' has no 'databases'; its own keys: settings"),
        ("preset = \"postgresql\"\ndatabases = [\"App-1\"]",
         "3:14: invalid value for 'services.db.databases': 'App-1' is not a plain SQL name"),
        ("preset = \"postgresql\"\nsettings = { shared_buffers = [1] }",
         "3:31: 'services.db.settings.shared_buffers' must be a string, number or boolean"),
        ("preset = \"postgresql\"\ndatabase = [\"app\"]", "3:1: unknown key 'database' in [services.db]"),
        ("preset = \"caddy\"\ndatabases = [\"app\"]",
         "3:1: invalid value for 'services.db.databases': preset 'caddy' has no 'databases'; its own keys: root, php_fpm, settings"),
    ])
    func presetMistakesAreLocated(body: String, expected: String) {
        let problems = diagnostics("[services.db]\n" + body + "\n")
        #expect(problems.contains { $0.hasPrefix(expected) }, "\(problems)")
    }

    @Test func expandingWordsExpandOnlyVariables() throws {
        let word = ShellWord.expanding(#"a=$X ${X} $(false) `false` "q" \ $ 100%"#)
        let process = Process(), out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "X=1; printf '%s' " + word]
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed == #"a=1 1 $(false) `false` "q" \ $ 100%"#)
    }
}
