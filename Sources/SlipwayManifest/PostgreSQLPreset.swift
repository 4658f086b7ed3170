import SlipwayCore

/// `preset = "postgresql"`: a PostgreSQL server with its data in `$STATE_DIR/data`, listening on
/// 127.0.0.1:$PORT (`$SLIPWAY_LISTEN` when set: `0.0.0.0` in a service image) and a unix socket
/// in `$STATE_DIR`, superuser `postgres`, trust authentication
/// (a dev database).
///
/// `setup` runs `initdb` when the data folder is new, then, when the wanted databases and roles
/// changed since the last start (or `init_sql` has not run yet), starts a temporary server on
/// the unix socket only, creates what is missing and runs `init_sql`, and stops it again, as the
/// official Docker image's entrypoint does. `command` then `exec`s `postgres` itself, so the
/// stop signal (SIGINT, "fast" shutdown) reaches the server directly.
enum PostgreSQLPreset {
    /// The superuser `initdb` creates, which the probe and the setup connect as.
    static let superuser = "postgres"

    static func fill(_ spec: inout ServiceSpec, options: PresetOptions) {
        spec.setup = setup(options)
        let settings = options.settings.map { " -c " + ShellWord.expanding("\($0.name)=\($0.value)") }.joined()
        spec.command = #"exec postgres -D "$STATE_DIR/data" -k "$STATE_DIR" -h "${SLIPWAY_LISTEN:-127.0.0.1}" -p "$PORT""#
            + settings
        spec.ready = .init(kind: .exec(#"pg_isready -q -h 127.0.0.1 -p "$PORT" -U \#(superuser) -d postgres"#))
        spec.stopSignal = 2  // SIGINT: "fast" shutdown, clean and quick
        spec.stopTimeout = 20
        spec.exports = exports(spec, options: options)
    }

    /// libpq's variables, so that `psql` and the app reach the server with no flags: `PGHOST`
    /// (127.0.0.1), `PGPORT` (the service's port), `PGUSER` (the first of `users`, else the
    /// superuser), and `PGDATABASE` when `databases` names exactly one.
    static func exports(_ spec: ServiceSpec, options: PresetOptions) -> [EnvEntry] {
        var pairs = [
            ("PGHOST", "127.0.0.1"), ("PGPORT", "$" + ServiceSpec.portVariable(spec.name)),
            ("PGUSER", options.users.first ?? superuser),
        ]
        if options.databases.count == 1 { pairs.append(("PGDATABASE", options.databases[0])) }
        return pairs.map { EnvEntry(name: $0.0, value: $0.1, location: spec.location) }
    }

    /// The setup script: `initdb` once, then databases, roles and `init_sql` through a
    /// temporary unix-socket-only server when something is missing.
    static func setup(_ options: PresetOptions) -> String {
        let wanted = "databases=\(options.databases.joined(separator: ","))"
            + " users=\(options.users.joined(separator: ","))"
        let initDone = options.initSQL == nil ? "true" : #"[ -f "$STATE_DIR/init_sql.done" ]"#
        let head = """
            set -e
            if [ ! -f "$STATE_DIR/data/PG_VERSION" ]; then
              initdb -D "$STATE_DIR/data" -U \(superuser) --auth=trust --no-sync -E UTF8
            fi
            wanted=\(ShellWord.literal(wanted)) created=
            if [ -f "$STATE_DIR/preset.done" ]; then read -r created < "$STATE_DIR/preset.done" || true; fi
            if [ "$created" != "$wanted" ] || ! \(initDone); then
            pg_ctl -D "$STATE_DIR/data" -w -o "-c listen_addresses='' -k '$STATE_DIR' -p $PORT" start
            trap 'pg_ctl -D "$STATE_DIR/data" -m fast -w stop' EXIT

            """
        return head + creation(options) + """
            printf '%s\\n' "$wanted" > "$STATE_DIR/preset.done"
            fi
            """
    }

    /// psql runs that create the missing roles and databases, then `init_sql` once, as the owner
    /// of the databases (the first of `users`), so what it creates belongs to the app's role.
    private static func creation(_ options: PresetOptions) -> String {
        let owner = options.users.first ?? superuser
        var sql: [String] = options.users.map { user in
            "SELECT 'CREATE ROLE \(user) LOGIN' "
                + "WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(user)')\\gexec"
        }
        sql += options.databases.map { database in
            "SELECT 'CREATE DATABASE \(database) OWNER \(owner)' "
                + "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '\(database)')\\gexec"
        }
        var script = sql.isEmpty ? "" : psql(superuser, "postgres", "SLIPWAY_SQL", sql.joined(separator: "\n")) + "\n"
        if let initSQL = options.initSQL {
            script += """
                if [ ! -f "$STATE_DIR/init_sql.done" ]; then
                \(psql(owner, options.databases.first ?? "postgres", "SLIPWAY_INIT_SQL", initSQL))
                : > "$STATE_DIR/init_sql.done"
                fi

                """
        }
        return script
    }

    /// `psql` over the unix socket as `user` in `database`, reading `sql` from a quoted
    /// here-document (nothing in it expands), stopping at the first error.
    private static func psql(_ user: String, _ database: String, _ delimiter: String, _ sql: String) -> String {
        #"psql -X -q -v ON_ERROR_STOP=1 -h "$STATE_DIR" -p "$PORT" -U "# + "\(user) -d \(database) <<'\(delimiter)'\n"
            + sql + "\n" + delimiter
    }
}
