import Foundation

/// Side effects of a deploy, passed in so the library can run under a CI stage or a test:
/// the program runner (`ssh`, `nix`), progress output, the clock and the environment.
public struct DeployContext: Sendable {
    public var runner: any CommandRunner
    /// Progress lines for the user (never a secret value).
    public var progress: @Sendable (String) -> Void
    public var now: @Sendable () -> Date
    /// The deploying machine's environment (for `{ env = "VAR" }` secrets).
    public var environment: [String: String]
    /// The project root (relative secret files).
    public var root: String
    /// Folder of the ssh control sockets (short path).
    public var controlDirectory: String

    public init(
        runner: any CommandRunner, progress: @escaping @Sendable (String) -> Void,
        now: @escaping @Sendable () -> Date = { Date() }, environment: [String: String], root: String,
        controlDirectory: String
    ) {
        self.runner = runner
        self.progress = progress
        self.now = now
        self.environment = environment
        self.root = root
        self.controlDirectory = controlDirectory
    }
}

/// How a deploy (or rollback) ended on each host. Rendered as text or `--json`.
public struct DeployOutcome: Codable, Sendable {
    public enum State: String, Codable, Sendable {
        /// The new release runs and is healthy.
        case deployed
        /// The host already ran this release; nothing was changed.
        case unchanged
        /// The new release failed its check; the previous one serves again.
        case rolledBack = "rolled_back"
        /// The step failed before the switch; the host was not changed.
        case failed
        /// The release failed and the previous one did not come back either.
        case broken
        /// Not attempted: an earlier host failed.
        case skipped
        /// `--dry-run`: what would happen.
        case planned
    }

    public struct Host: Codable, Sendable {
        public var host: String
        public var state: State
        public var release: String?
        public var seconds: Double?
        public var message: String?

        public init(host: String, state: State, release: String?, seconds: Double?, message: String?) {
            self.host = host
            self.state = state
            self.release = release
            self.seconds = seconds
            self.message = message
        }
    }

    public var target: String
    public var release: String
    public var hosts: [Host] = []

    public init(target: String, release: String, hosts: [Host] = []) {
        self.target = target
        self.release = release
        self.hosts = hosts
    }

    /// Every host ended on the requested release.
    public var succeeded: Bool { hosts.allSatisfy { [.deployed, .unchanged, .planned].contains($0.state) } }
}
