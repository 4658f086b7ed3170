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
}

/// A setup command that writes `words` (shell words, one line each) to `$STATE_DIR/FILE` with the
/// shell's own `printf`, so a profile without coreutils can run it.
func writeConfig(_ file: String, _ words: [String]) -> String {
    "printf '%s\\n' " + words.joined(separator: " ") + " > \"$STATE_DIR/\(file)\""
}

/// `preset = "php-fpm"`: one pool on 127.0.0.1:$PORT, its configuration written to
/// `$STATE_DIR/php-fpm.conf` by `setup`, the master in the foreground logging to its stderr
/// (`error_log = /proc/self/fd/2`, which works under `user` because Slipway hands the service its
/// pipes), the workers' output caught into the service log. `settings` are pool directives.
enum PHPFPMPreset {
    static let poolDefaults: [(String, String)] = [
        ("listen", "127.0.0.1:$PORT"), ("pm", "dynamic"), ("pm.max_children", "5"), ("pm.start_servers", "2"),
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

/// `preset = "nginx"`: nginx in the foreground on 127.0.0.1:$PORT serving `root` (default
/// `public`), its configuration written to `$STATE_DIR/nginx.conf` by `setup`, errors to stderr and
/// the access log to stdout; with `php_fpm = "SERVICE"`, `*.php` goes to that service over
/// FastCGI. `settings` are `http` directives (`NAME VALUE;`).
enum NginxPreset {
    /// nginx's own `conf` folder (`mime.types`, `fastcgi_params`), found from `nginx` on `PATH`
    /// by `setup`: relative includes would resolve in `$STATE_DIR`, beside the generated file.
    static let conf = "${nginx%/bin/nginx}/conf"

    static func fill(_ spec: inout ServiceSpec, options: PresetOptions) {
        let root = options.root.map { $0.hasPrefix("/") ? $0 : "$SLIPWAY_ROOT/\($0)" } ?? "$SLIPWAY_ROOT/public"
        let head = [
            "daemon off;", "pid $STATE_DIR/nginx.pid;", "error_log stderr;", "events { worker_connections 256; }",
            "http {", "include \(conf)/mime.types;", "access_log /dev/stdout;",
        ]
        let temporary = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
            .map { "\($0)_temp_path $STATE_DIR/\($0)_temp;" }
        let http = options.settings.map { "\($0.name) \($0.value(yes: "on", no: "off"));" }
        let server = ["server {", "listen 127.0.0.1:$PORT;", "root \(root);", "index index.html index.php;"]
        let words = (head + temporary + http + server).map(ShellWord.expanding) + (options.phpFPM.map(fastCGI) ?? [])
        spec.setup = "nginx=$(command -v nginx) && " + writeConfig("nginx.conf", words + ["'}'", "'}'"])
        spec.command = #"exec nginx -e stderr -p "$STATE_DIR" -c "$STATE_DIR/nginx.conf""#
        spec.ready = .init(kind: .tcp(0))
        spec.stopSignal = 3  // SIGQUIT: graceful shutdown
    }

    /// The `location` passing `*.php` to the php-fpm service `service`, as shell words.
    private static func fastCGI(_ service: String) -> [String] {
        [ShellWord.literal(#"location ~ \.php$ {"#),
         ShellWord.expanding("fastcgi_pass 127.0.0.1:$\(ServiceSpec.portVariable(service));"),
         ShellWord.expanding("include \(conf)/fastcgi_params;"),
         ShellWord.literal("fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;"), "'}'"]
    }
}

