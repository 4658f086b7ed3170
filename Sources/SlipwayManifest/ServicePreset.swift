import SlipwayCore

/// A ready-made service definition, `[services.NAME] preset = "postgresql"`, in the spirit of
/// devenv's `services.postgres`: it fills `setup`, `command`, `port`, `ready`, `stop_signal`,
/// `stop_timeout` and `user`, and the service's own keys override each of them.
///
/// Presets run the programs found on the profile's `PATH`: the package (`postgresql_15`,
/// `mariadb`, `redis`, `php82`, `nginx`, `caddy`) still goes in `[packages]`. State lives in
/// `$STATE_DIR`.
public enum ServicePreset: String, Sendable, Hashable, Codable, CaseIterable {
    case postgresql
    /// Also spelt `preset = "mysql"` (see ``named(_:)``).
    case mariadb
    case redis
    case phpFPM = "php-fpm"
    case nginx
    case caddy

    /// The preset-only keys each preset takes (besides every `[services.NAME]` key).
    public var keys: [String] {
        switch self {
        case .postgresql, .mariadb: ["databases", "users", "settings", "init_sql"]
        case .redis, .phpFPM: ["settings"]
        case .nginx, .caddy: ["root", "php_fpm", "settings"]
        }
    }

    /// The port the server usually has where no port is chosen for it (a container image):
    /// PostgreSQL's 5432, MariaDB's 3306, Redis's 6379, php-fpm's 9000, and 8080 for the web
    /// servers (a non-root user cannot bind 80).
    public var usualPort: Int {
        switch self {
        case .postgresql: 5432
        case .mariadb: 3306
        case .redis: 6379
        case .phpFPM: 9000
        case .nginx, .caddy: 8080
        }
    }

    /// Other names a manifest may use for a preset: `mysql` is the `mariadb` preset.
    static let aliases: [String: ServicePreset] = ["mysql": .mariadb]

    /// The preset `preset = "NAME"` names: a raw value or an alias.
    public static func named(_ name: String) -> ServicePreset? { ServicePreset(rawValue: name) ?? aliases[name] }

    /// Every preset-only key of any preset, in a stable order.
    public static var allKeys: [String] {
        var seen: [String] = []
        for preset in allCases { for key in preset.keys where !seen.contains(key) { seen.append(key) } }
        return seen
    }

    /// The presets that take `key`.
    static func presets(taking key: String) -> [ServicePreset] { allCases.filter { $0.keys.contains(key) } }

    /// `spec` with this preset's defaults filled in (before the service's own keys apply).
    func defaults(_ spec: ServiceSpec, options: PresetOptions) -> ServiceSpec {
        var spec = spec
        spec.preset = self
        spec.port = .auto
        // Only used when Slipway runs as root: none of these servers should run as root.
        spec.user = "nobody"
        switch self {
        case .postgresql: PostgreSQLPreset.fill(&spec, options: options)
        case .mariadb: MariaDBPreset.fill(&spec, options: options)
        case .redis: Self.redis(&spec, options: options)
        case .phpFPM: PHPFPMPreset.fill(&spec, options: options)
        case .nginx: NginxPreset.fill(&spec, options: options)
        case .caddy: CaddyPreset.fill(&spec, options: options)
        }
        return spec
    }

    /// redis-server in the foreground on 127.0.0.1:$PORT (`$SLIPWAY_LISTEN` when set), data in
    /// `$STATE_DIR`; each setting
    /// as `--NAME VALUE` (after the preset's, so it wins).
    private static func redis(_ spec: inout ServiceSpec, options: PresetOptions) {
        let settings = options.settings.map { " --\($0.name) " + ShellWord.expanding($0.value(yes: "yes", no: "no")) }
            .joined()
        spec.command = #"exec redis-server --bind "${SLIPWAY_LISTEN:-127.0.0.1}" --port "$PORT" --dir "$STATE_DIR""#
            + settings
        spec.ready = .init(kind: .exec(#"[ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping)" = PONG ]"#))
        spec.stopSignal = 15  // SIGTERM: redis saves (when configured to) and exits
    }
}

/// The preset-only keys of a service, decoded (see ``ServicePreset/keys``).
struct PresetOptions: Sendable, Hashable {
    /// One `settings = { NAME = VALUE }` entry; numbers and booleans as their TOML text.
    struct Setting: Sendable, Hashable {
        var name: String
        /// The value as written; a boolean as `true` or `false`.
        var value: String
        var isBoolean = false

        /// The value, a boolean spelt as the server wants it (redis: `yes`/`no`, nginx: `on`/`off`).
        func value(yes: String, no: String) -> String { isBoolean ? (value == "true" ? yes : no) : value }
    }

    /// PostgreSQL, MariaDB: databases created when missing.
    var databases: [String] = []
    /// PostgreSQL, MariaDB: login roles (users) created when missing, with no password.
    var users: [String] = []
    /// Server settings, in the manifest's order.
    var settings: [Setting] = []
    /// PostgreSQL, MariaDB: SQL run once, in the first database, after they are created.
    var initSQL: String?
    /// nginx, caddy: the folder served, relative to the project root (default `public`).
    var root: String?
    /// nginx, caddy: the php-fpm service that `*.php` requests go to (FastCGI on its port).
    var phpFPM: String?
}
