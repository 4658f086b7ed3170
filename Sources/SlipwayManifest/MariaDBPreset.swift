import SlipwayCore

/// `preset = "mariadb"` (or `"mysql"`): a MariaDB server with its data in `$STATE_DIR/data`,
/// listening on 127.0.0.1:$PORT (`$SLIPWAY_LISTEN` when set) and the unix socket
/// `$STATE_DIR/mysqld.sock`, superuser `root` with no password (a dev database).
///
/// `setup` writes `$STATE_DIR/my.cnf` on every start: `[mariadbd]` holds the server's options
/// (the preset's, then `settings` over them), `[client]` and `[mysql]` let the clients reach the
/// server with no flags (found through `MYSQL_HOME`). It runs `mariadb-install-db` when the data
/// folder is new, then, when the wanted databases and users changed since the last start (or
/// `init_sql` has not run yet), starts a temporary server on a unix socket only (no TCP), creates
/// what is missing with the `mariadb` client, runs `init_sql`, and stops it again, as the official
/// Docker image's entrypoint does. `command` then `exec`s `mariadbd` itself, reading that file
/// only (never `/etc/mysql`), so the stop signal (SIGTERM, a clean shutdown) reaches the server.
enum MariaDBPreset {
    /// The superuser `mariadb-install-db` creates (`--auth-root-authentication-method=normal`:
    /// no password), which the probe and the setup connect as.
    static let superuser = "root"

    /// The `[mariadbd]` options before `settings` (a setting of the same name replaces one).
    static let serverDefaults: [(String, String)] = [
        ("datadir", "$STATE_DIR/data"), ("socket", "$STATE_DIR/mysqld.sock"), ("pid-file", "$STATE_DIR/mariadbd.pid"),
        ("port", "$PORT"), ("bind-address", "${SLIPWAY_LISTEN:-127.0.0.1}"), ("skip-name-resolve", "ON"),
    ]

    static func fill(_ spec: inout ServiceSpec, options: PresetOptions) {
        spec.setup = "set -e\numask 022\n" + writeConfig("my.cnf", config(options)) + "\n" + setup(options)
        spec.command = #"exec mariadbd --defaults-file="$STATE_DIR/my.cnf""#
        spec.ready = .init(kind: .exec(#"mariadb-admin --no-defaults -h 127.0.0.1 -P "$PORT" -u \#(superuser) ping"#))
        spec.stopSignal = 15  // SIGTERM: a clean shutdown (InnoDB flushed, no recovery at the next start)
        spec.stopTimeout = 20
        spec.exports = [EnvEntry(name: "MYSQL_HOME", value: "$SLIPWAY_STATE/\(spec.name)", location: spec.location)]
    }

    /// The lines of `my.cnf`, as shell words: the server's options, then the clients' (`user`: the
    /// first of `users`, else the superuser; `database` when `databases` names exactly one).
    static func config(_ options: PresetOptions) -> [String] {
        let server = options.settings(over: serverDefaults).map { "\($0.name)=\($0.value(yes: "ON", no: "OFF"))" }
        var client = ["[client]", "host=127.0.0.1", "port=$PORT", "user=\(options.users.first ?? superuser)"]
        if options.databases.count == 1 { client += ["[mysql]", "database=\(options.databases[0])"] }
        return (["[mariadbd]"] + server + client).map(ShellWord.expanding)
    }

    /// `mariadb-install-db` once (`--cross-bootstrap`: no grants naming this host, no DNS lookup,
    /// none of its advice printed), then databases, users and `init_sql` through a temporary
    /// unix-socket-only server when something is missing. The server's log passes through; its
    /// "ready for connections" line says when the clients may connect.
    static func setup(_ options: PresetOptions) -> String {
        let wanted = "databases=\(options.databases.joined(separator: ","))"
            + " users=\(options.users.joined(separator: ","))"
        let initDone = options.initSQL == nil ? "true" : #"[ -f "$STATE_DIR/init_sql.done" ]"#
        let head = """
            if [ ! -d "$STATE_DIR/data/mysql" ]; then
              mariadb-install-db --defaults-file="$STATE_DIR/my.cnf" --auth-root-authentication-method=normal \\
                --skip-test-db --cross-bootstrap
            fi
            wanted=\(ShellWord.literal(wanted)) created=
            if [ -f "$STATE_DIR/preset.done" ]; then read -r created < "$STATE_DIR/preset.done" || true; fi
            if [ "$created" != "$wanted" ] || ! \(initDone); then
            mariadbd --defaults-file="$STATE_DIR/my.cnf" --skip-networking --socket="$STATE_DIR/setup.sock" \\
              --pid-file="$STATE_DIR/setup.pid" --skip-log-error 2>&1 | {
              ready= status=1
              : > "$STATE_DIR/setup.err"
              while IFS= read -r line; do
                printf '%s\\n' "$line"
                case "$line" in *": ready for connections"*) ready=1; break ;; esac
              done
              if [ -n "$ready" ]; then
              status=0

            """
        return head + creation(options) + """
              read -r pid < "$STATE_DIR/setup.pid" && kill "$pid"
              fi
              while IFS= read -r line; do printf '%s\\n' "$line"; done
              # the client's errors last, after the temporary server's shutdown lines
              while IFS= read -r line; do printf '%s\\n' "$line" >&2; done < "$STATE_DIR/setup.err"
              exit "$status"
            }
            printf '%s\\n' "$wanted" > "$STATE_DIR/preset.done"
            fi
            """
    }

    /// The client runs that create the missing users and databases (the first user gets every
    /// privilege on each), then `init_sql` once, as that user in the first database. A failure
    /// sets `status` (the temporary server is stopped either way).
    private static func creation(_ options: PresetOptions) -> String {
        let owner = options.users.first
        var sql = options.users.map { "CREATE USER IF NOT EXISTS '\($0)'@'%';" }
        for database in options.databases {
            sql.append("CREATE DATABASE IF NOT EXISTS `\(database)`;")
            // `_` is a wildcard in a GRANT's database name
            let pattern = database.replacingOccurrences(of: "_", with: "\\_")
            if let owner { sql.append("GRANT ALL PRIVILEGES ON `\(pattern)`.* TO '\(owner)'@'%';") }
        }
        var script = sql.isEmpty ? "" : client(superuser, nil, "SLIPWAY_SQL", sql.joined(separator: "\n")) + "\n"
        if let initSQL = options.initSQL {
            let done = #"&& : > "$STATE_DIR/init_sql.done""#
            script += """
                if [ "$status" = 0 ] && [ ! -f "$STATE_DIR/init_sql.done" ]; then
                \(client(owner ?? superuser, options.databases.first, "SLIPWAY_INIT_SQL", initSQL, then: done))
                fi

                """
        }
        return script
    }

    /// `mariadb` over the setup socket as `user` (in `database`), reading `sql` from a quoted
    /// here-document (nothing in it expands), stopping at the first error (kept in `setup.err`);
    /// `then` runs after it succeeds, and a failure sets `status`.
    private static func client(
        _ user: String, _ database: String?, _ delimiter: String, _ sql: String, then: String = ""
    ) -> String {
        #"mariadb --no-defaults --socket="$STATE_DIR/setup.sock" -u "# + user + (database.map { " " + $0 } ?? "")
            + #" 2>>"$STATE_DIR/setup.err""# + " <<'\(delimiter)' \(then)\(then.isEmpty ? "" : " ")|| status=1\n"
            + sql + "\n" + delimiter
    }
}
