import SlipwayCore

/// One `[services.NAME]` entry after profiles are applied: a dev service the supervisor runs.
///
/// Commands run as `sh -c COMMAND` in the profile's environment plus `STATE_DIR`, `PORT`, every
/// `<NAME>_PORT` and the service's own `env`. Durations are in seconds.
public struct ServiceSpec: Sendable, Hashable, Codable {
    public enum Port: Sendable, Hashable, Codable {
        case fixed(Int)
        /// A free port chosen once and kept in `.slipway/state/<profile>/ports.json`.
        case auto
    }

    /// When a dependent may start (`depends_on = { NAME = "CONDITION" }`).
    public enum Condition: String, Sendable, Hashable, Codable, CaseIterable {
        /// The dependency's process has started.
        case started
        /// The dependency's readiness probe has passed (it must have one).
        case healthy
        /// The dependency has exited with status 0 (a one-shot job such as a migration).
        case completedSuccessfully = "completed_successfully"
    }

    /// How readiness is checked.
    public enum ProbeKind: Sendable, Hashable, Codable {
        /// A command (`sh -c`) that exits 0 when ready.
        case exec(String)
        /// An HTTP GET answering 2xx or 3xx: a path on `127.0.0.1:$PORT`, or a full URL.
        case http(String)
        /// A TCP connect to `127.0.0.1:PORT`.
        case tcp(Int)
        /// A regular expression a log line (stdout or stderr) matches.
        case log(String)
        /// A connect to a unix socket: a path, absolute or relative to the service's `cwd`, in
        /// which the service's `$NAME` and `${NAME}` expand (`$STATE_DIR/app.sock`).
        case unix(String)
        /// An HTTP GET of `path` over the unix socket `socket` (expanded as for ``unix(_:)``),
        /// answering 2xx or 3xx.
        case unixHTTP(socket: String, path: String)
        /// An HTTPS GET of a full `https://` URL answering 2xx or 3xx, its certificate verified
        /// against the PEM file `ca` (relative to `cwd`) when given, else the system's roots;
        /// not verified at all with `insecure`.
        case https(url: String, ca: String?, insecure: Bool)
    }

    public struct ReadinessProbe: Sendable, Hashable, Codable {
        public var kind: ProbeKind
        /// Seconds between probes once settled (probes start at 10 ms and back off to this).
        public var period: Double = 2
        /// Seconds one probe may take.
        public var timeout: Double = 2
        /// Consecutive failures after being ready that mark the service unhealthy (then the
        /// restart policy applies).
        public var failureThreshold: Int = 3
        /// Seconds from start to first success before the service counts as failed.
        public var startTimeout: Double = 60
    }

    public enum RestartPolicy: String, Sendable, Hashable, Codable, CaseIterable {
        case no
        case onFailure = "on-failure"
        case always
    }

    public var name: String
    public var command: String
    public var setup: String?
    /// Working directory, relative to the project root; default the root.
    public var cwd: String?
    public var env: [EnvEntry]
    public var port: Port?
    public var dependsOn: [Dependency]
    public var ready: ReadinessProbe?
    public var restart: RestartPolicy = .onFailure
    /// Restarts allowed before the service is left failed (0 = no limit).
    public var maxRestarts: Int = 5
    /// Signal number sent to the process group to stop the service.
    public var stopSignal: Int32 = 15
    /// Seconds to wait after `stopSignal` before SIGKILL to the whole group.
    public var stopTimeout: Double = 10
    /// Account to run as when Slipway runs as root.
    public var user: String?
    public var disabled: Bool = false
    /// The preset whose defaults this service starts from (`preset = "postgresql"`), if any.
    public var preset: ServicePreset?
    /// Variables the service offers to every process of the profile (tasks, `exec`, `shell`,
    /// `env`, services), unexpanded (`PGPORT = "$DB_PORT"`), set before the dotenv files and
    /// `[env]`, which override them. Filled by presets: postgresql's `PGHOST`, `PGPORT`, `PGUSER`
    /// and `PGDATABASE`.
    public var exports: [EnvEntry] = []
    public var location: SourceLocation

    public struct Dependency: Sendable, Hashable, Codable {
        public var name: String
        public var condition: Condition
        public var location: SourceLocation
    }

    /// `NAME_PORT`: upper-cased, non-alphanumerics as `_`.
    public static func portVariable(_ service: String) -> String {
        String(service.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }) + "_PORT"
    }
}

/// Signal names accepted by `stop_signal`.
public enum Signals {
    public static let byName: [String: Int32] = [
        "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGKILL": 9, "SIGUSR1": 10, "SIGUSR2": 12, "SIGTERM": 15,
        "SIGWINCH": 28,
    ]

    public static func number(_ text: String) -> Int32? {
        let upper = text.uppercased()
        return byName[upper] ?? byName["SIG" + upper]
    }

    public static func name(_ number: Int32) -> String {
        byName.first { $0.value == number }?.key ?? "signal \(number)"
    }
}
