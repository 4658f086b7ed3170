import SlipwayCore

/// One `[deploy.NAME]` target: where a profile's release runs and how it is checked.
///
/// Reference: `docs/manifest.md` (`[deploy.NAME]`) and `docs/deploy.md`. Durations are seconds.
public struct DeploySpec: Sendable, Hashable {
    /// What a release is: container images under podman/docker, or a Nix closure.
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        case image
        case closure
        /// A Deployment (and Service, Secret) applied with `kubectl` (docs/deploy.md "Kubernetes").
        case kubernetes
    }

    /// The container runtime on the host (image mode).
    public enum Runtime: String, Sendable, Hashable, Codable, CaseIterable {
        case podman
        case docker
    }

    /// How the containers of an image-mode release are networked.
    public enum Network: String, Sendable, Hashable, Codable, CaseIterable {
        /// One private network per target (`slipway-<target>`); each image is reachable by its name.
        case `private`
        /// The host's network: images reach each other on 127.0.0.1; `ports` are not used.
        case host
    }

    /// Per-image settings of an image-mode target (`[deploy.NAME.image.IMAGE]`).
    public struct ImageSettings: Sendable, Hashable {
        /// `HOST:CONTAINER` port publications, e.g. `8080:80` or `127.0.0.1:8080:80`.
        public var ports: [String] = []
        /// `VOLUME:/path` named volumes (kept across releases) or `/host/path:/path` binds.
        public var volumes: [String] = []
        public var env: [EnvEntry] = []

        public init() {}
    }

    /// The check that decides whether a release is healthy; run on the host.
    public enum HealthCheck: Sendable, Hashable {
        /// An HTTP GET answered 2xx/3xx (`http://…` on the host).
        case http(String)
        /// A program in exec form (no shell) that exits 0.
        case command([String])
    }

    public struct Health: Sendable, Hashable {
        public var check: HealthCheck?
        /// Seconds from restart to the first passing check.
        public var timeout: Double = 60
        /// Dead-man delay in seconds; `nil`: derived (see ``DeploySpec/confirmDelay``).
        public var confirm: Double?

        public init() {}
    }

    /// Where a secret's value comes from, on the deploying machine, at deploy time.
    public enum SecretSource: Sendable, Hashable {
        case environment(String)
        case file(String)
        case command(String)
    }

    public struct Secret: Sendable, Hashable {
        public var name: String
        public var source: SecretSource
        public var location: SourceLocation

        public init(name: String, source: SecretSource, location: SourceLocation) {
            self.name = name
            self.source = source
            self.location = location
        }
    }

    /// `[deploy.NAME.ssh]`.
    public struct SSH: Sendable, Hashable {
        public var identity: String?
        public var knownHosts: String?
        /// Extra `-o` options, `Key=Value`.
        public var options: [String] = []

        public init() {}
    }

    public var name: String
    public var profile = "prod"
    public var hosts: [DeployHost] = []
    public var mode: Mode = .image
    public var runtime: Runtime = .podman
    public var network: Network = .private
    /// `[images]` keys that run together as one release (image mode).
    public var images: [String] = []
    public var imageSettings: [String: ImageSettings] = [:]
    /// A `[services]` key of the profile (closure mode).
    public var service: String?
    /// Closure mode: the service's `PORT` on the host, instead of its own `port`.
    public var port: Int?
    /// Releases kept per host (the current one included).
    public var keep = 5
    public var health = Health()
    public var env: [EnvEntry] = []
    public var secrets: [Secret] = []
    public var ssh = SSH()
    /// Privilege command template for a non-root ssh user: `{}` stands for the command's argv.
    public var sudo: [String]?
    /// Closure mode: the unit `slipway-<target>.service` comes from the host's NixOS configuration
    /// (the module `slipway deploy NAME --nixos-module` prints); activation never writes it.
    public var nixos = false
    /// Kubernetes mode: `namespace`, `replicas`, `ports`, `resources`, `registry`, `context`.
    public var kubernetes = Kubernetes()
    /// Generated pipelines: the deploy job waits for a person to start it (GitLab `when: manual`).
    public var manual = false
    /// Generated pipelines: the environment's public address (GitLab `environment: url`).
    public var url: String?
    public var location: SourceLocation

    /// Seconds a unit may take to stop (systemd `TimeoutStopSec`) and to start.
    public static let stopTimeout = 10.0
    public static let startTimeout = 30.0

    /// The dead-man delay: `confirm`, else stop + start + health timeouts + 10 s margin.
    public var confirmDelay: Double {
        health.confirm ?? (Self.stopTimeout + Self.startTimeout + health.timeout + 10)
    }

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}
