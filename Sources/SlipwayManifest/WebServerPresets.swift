import SlipwayCore

extension PresetOptions {
    /// `defaults` with the service's `settings` applied over them: a setting of the same name
    /// replaces the default in place, others follow in the manifest's order.
    func settings(over defaults: [(String, String)]) -> [Setting] {
        var merged = defaults.map { name, value in
            settings.last { $0.name == name } ?? Setting(name: name, value: value)
        }
        for setting in settings where !merged.contains(where: { $0.name == setting.name }) { merged.append(setting) }
        return merged
    }

    /// The folder a web-server preset serves: `root` (absolute, or relative to the project
    /// root), default `$SLIPWAY_ROOT/public`.
    var servedRoot: String { root.map { $0.hasPrefix("/") ? $0 : "$SLIPWAY_ROOT/\($0)" } ?? "$SLIPWAY_ROOT/public" }

    /// The FastCGI address of the php-fpm service `php_fpm` names (`127.0.0.1:$NAME_PORT`).
    var phpFPMAddress: String? { phpFPM.map { "127.0.0.1:$\(ServiceSpec.portVariable($0))" } }
}

/// A setup command that writes `words` (shell words, one line each) to `$STATE_DIR/FILE` with the
/// shell's own `printf`, so a profile without coreutils can run it.
func writeConfig(_ file: String, _ words: [String]) -> String {
    "printf '%s\\n' " + words.joined(separator: " ") + " > \"$STATE_DIR/\(file)\""
}

/// `preset = "php-fpm"`: one pool on 127.0.0.1:$PORT (`$SLIPWAY_LISTEN` when set), its configuration written to
/// `$STATE_DIR/php-fpm.conf` by `setup`, the master in the foreground logging to its stderr
/// (`error_log = /proc/self/fd/2`, which works under `user` because Slipway hands the service its
/// pipes), the workers' output caught into the service log. `settings` are pool directives.
enum PHPFPMPreset {
    static let poolDefaults: [(String, String)] = [
        ("listen", "${SLIPWAY_LISTEN:-127.0.0.1}:$PORT"), ("pm", "dynamic"), ("pm.max_children", "5"), ("pm.start_servers", "2"),
        ("pm.min_spare_servers", "1"), ("pm.max_spare_servers", "3"), ("clear_env", "no"),
        ("catch_workers_output", "yes"), ("decorate_workers_output", "no"),
    ]

    static func fill(_ spec: inout ServiceSpec, options: PresetOptions) {
        let global = [
            "[global]", "error_log = /proc/self/fd/2", "daemonize = no", "pid = $STATE_DIR/php-fpm.pid", "[www]",
        ]
        let pool = options.settings(over: poolDefaults).map { "\($0.name) = \($0.value)" }
        spec.setup = writeConfig("php-fpm.conf", (global + pool).map(ShellWord.expanding))
        spec.command = #"exec php-fpm --nodaemonize --fpm-config "$STATE_DIR/php-fpm.conf""#
        spec.ready = .init(kind: .tcp(0))
        spec.stopSignal = 3  // SIGQUIT: graceful, lets running requests finish
    }
}

/// `preset = "nginx"`: nginx in the foreground on 127.0.0.1:$PORT (`$SLIPWAY_LISTEN` when set) serving `root` (default
/// `public`), its configuration written to `$STATE_DIR/nginx.conf` by `setup`, errors to stderr and
/// the access log to stdout; with `php_fpm = "SERVICE"`, `*.php` goes to that service over
/// FastCGI. `settings` are `http` directives (`NAME VALUE;`).
enum NginxPreset {
    /// nginx's own `conf` folder (`mime.types`, `fastcgi_params`), found from `nginx` on `PATH`
    /// by `setup`: relative includes would resolve in `$STATE_DIR`, beside the generated file.
    static let conf = "${nginx%/bin/nginx}/conf"

    static func fill(_ spec: inout ServiceSpec, options: PresetOptions) {
        let root = options.servedRoot
        let head = [
            "daemon off;", "pid $STATE_DIR/nginx.pid;", "error_log stderr;", "events { worker_connections 256; }",
            "http {", "include \(conf)/mime.types;", "access_log /dev/stdout;",
        ]
        let temporary = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
            .map { "\($0)_temp_path $STATE_DIR/\($0)_temp;" }
        let http = options.settings.map { "\($0.name) \($0.value(yes: "on", no: "off"));" }
        let server = ["server {", "listen ${SLIPWAY_LISTEN:-127.0.0.1}:$PORT;", "root \(root);", "index index.html index.php;"]
        let words = (head + temporary + http + server).map(ShellWord.expanding) + (options.phpFPMAddress.map(fastCGI) ?? [])
        spec.setup = "nginx=$(command -v nginx) && " + writeConfig("nginx.conf", words + ["'}'", "'}'"])
        spec.command = #"exec nginx -e stderr -p "$STATE_DIR" -c "$STATE_DIR/nginx.conf""#
        spec.ready = .init(kind: .tcp(0))
        spec.stopSignal = 3  // SIGQUIT: graceful shutdown
    }

    /// The `location` passing `*.php` to the php-fpm service at `address`, as shell words.
    private static func fastCGI(_ address: String) -> [String] {
        [ShellWord.literal(#"location ~ \.php$ {"#),
         ShellWord.expanding("fastcgi_pass \(address);"),
         ShellWord.expanding("include \(conf)/fastcgi_params;"),
         ShellWord.literal("fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;"), "'}'"]
    }
}


/// `preset = "caddy"`: caddy in the foreground (`caddy run`) on 127.0.0.1:$PORT (`$SLIPWAY_LISTEN`
/// when set; any host name) over plain HTTP,
/// serving `root` (default `public`) with `file_server`; with `php_fpm = "SERVICE"`, PHP goes to
/// that service with `php_fastcgi`. The Caddyfile is written to `$STATE_DIR/Caddyfile` by `setup`;
/// the admin endpoint is off, automatic HTTPS is off, caddy's data and autosaved configuration go
/// to `$STATE_DIR/data` and `$STATE_DIR/config` (`XDG_DATA_HOME`, `XDG_CONFIG_HOME`), the
/// access log to stdout. Ready when `GET /.slipway-ready` answers (204, served by the preset).
/// `settings` are site directives (`NAME VALUE`, one line each; booleans `on`/`off`).
enum CaddyPreset {
    /// The path the ready probe asks for; caddy answers it itself (`respond`, before `file_server`).
    static let readyPath = "/.slipway-ready"

    static func fill(_ spec: inout ServiceSpec, options: PresetOptions) {
        let global = ["{", "admin off", "auto_https off", "}"]
        let site = [
            "http://:$PORT {", "bind ${SLIPWAY_LISTEN:-127.0.0.1}", "root * \(options.servedRoot)", "log {", "output stdout", "}",
            "respond \(readyPath) 204",
        ] + (options.phpFPMAddress.map { ["php_fastcgi \($0)"] } ?? [])
        let directives = options.settings.map { "\($0.name) \($0.value(yes: "on", no: "off"))" }
        let lines = global + site + directives + ["file_server", "}"]
        spec.setup = writeConfig("Caddyfile", lines.map(ShellWord.expanding))
        spec.command = #"export XDG_DATA_HOME="$STATE_DIR/data" XDG_CONFIG_HOME="$STATE_DIR/config"; "#
            + #"exec caddy run --config "$STATE_DIR/Caddyfile" --adapter caddyfile"#
        spec.ready = .init(kind: .http(readyPath))
        spec.stopSignal = 15  // SIGTERM: graceful shutdown
    }
}
